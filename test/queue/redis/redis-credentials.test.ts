import { expect } from 'chai';
import { JoinableQueue, Pool, Process, Queue, redis, RedisCredentialsMissingError, type RedisBackend } from '../../../src/index.js';
import { adoptQueue } from '../../../src/child/adopt-queue.js';
import { IN_THREAD } from '../../../src/internal/symbols.js';
import { checkCalls } from '../../../src/pool/task-args.js';
import { encodeQueues } from '../../../src/queue/queue-handles.js';
import { assertChildrenExitSoon } from '../../helpers.js';
import { disposeAfterEach, useRedis } from '../../redis-fixture.js';
import { describeQueue, doubleOne, doubler, keepRedisQueues, putThenClose, sameQueueAsLast } from '../../fixtures/redis-backend-targets.js';

// A Redis queue's credentials (the URL's password, the authkey) reach every worker over its private
// channel, whichever way the queue is passed: Process args, a Pool task's args, a Pool's initargs, in
// a process or a worker thread; the descriptor beside them never carries them.
describe('Redis queue credentials on every path to a worker', function () {
  this.timeout(60_000);
  const server = useRedis();
  // Disposed after each test, before the checks below (hooks run in the order they are declared).
  const track = disposeAfterEach();
  let counter = 0;

  function backend(): RedisBackend {
    return redis(server.url, { name: `cred${process.pid}-${++counter}-${Date.now()}` });
  }
  function password(): string {
    const { password } = new URL(server.url);
    expect(password, 'the test server has a password').to.not.equal('');
    return password;
  }

  afterEach(async () => {
    await assertChildrenExitSoon();
  });

  it('should describe a queue without its password or authkey', () => {
    const q = track(new JoinableQueue<number>(0, { backend: redis(server.url, { name: `cred${process.pid}-d`, authkey: 'k3y-not-shown' }) }));
    const described = JSON.stringify(encodeQueues([q]));
    expect(described).to.match(/"kind":"redis"/);
    expect(described).to.not.include(password());
    expect(described).to.not.include('k3y-not-shown');
  });

  it("should send a Pool task's Redis queue as a descriptor, its credentials beside the calls, the caller's args untouched", () => {
    const q = track(new JoinableQueue<number>(0, { backend: redis(server.url, { name: `cred${process.pid}-t`, authkey: 'k3y-not-shown' }) }));
    const args = [q, { nested: [q] }];
    const { calls, redisSecrets } = checkCalls([args], 'args of apply()');
    const sent = JSON.stringify(calls);
    expect(sent).to.match(/"kind":"redis"/);
    expect(sent).to.not.include(password());
    expect(sent).to.not.include('k3y-not-shown');
    expect(Object.values(redisSecrets ?? {})).to.deep.equal([{ url: server.url, authkey: 'k3y-not-shown' }]);
    expect(args[0]).to.equal(q);
    expect(checkCalls([[1, { a: 2 }]], 'args of apply()').redisSecrets).to.equal(undefined);
  });

  for (const context of ['process', 'thread'] as const) {
    describe(`(context: '${context}')`, () => {
      it("should let a Pool task get and put through Redis queues passed in apply()'s args", async () => {
        const jobs = track(new JoinableQueue<number>(0, { backend: backend() }));
        const out = track(new JoinableQueue<number>(0, { backend: backend() }));
        await using pool = new Pool({ processes: 1, context });
        for (let i = 0; i < 5; i++) await jobs.put(i);
        await jobs.put(-1);
        await pool.apply(doubler, [jobs, out]);
        await jobs.join({ signal: AbortSignal.timeout(10_000) });
        const got: number[] = [];
        for (let i = 0; i < 5; i++) got.push(await out.get({ timeout: 10_000 }));
        expect(got).to.deep.equal([0, 2, 4, 6, 8]);
      });

      it('should let starmap() chunks take Redis queues, and a worker keep one queue per Redis queue across tasks', async () => {
        const jobs = track(new JoinableQueue<number>(0, { backend: backend() }));
        const out = track(new JoinableQueue<number>(0, { backend: backend() }));
        await using pool = new Pool({ processes: 1, context });
        for (const n of [3, -1, 4, -1]) await jobs.put(n);
        await pool.starmap(doubler, [[jobs, out], [jobs, out]], { chunksize: 1 });
        await jobs.join({ signal: AbortSignal.timeout(10_000) });
        expect([await out.get({ timeout: 10_000 }), await out.get({ timeout: 10_000 })]).to.deep.equal([6, 8]);
        expect(await pool.apply(sameQueueAsLast, [jobs])).to.equal(false);
        expect(await pool.apply(sameQueueAsLast, [jobs])).to.equal(true);
      });

      it("should give a worker's next task a working queue after a task closed its own", async () => {
        const out = track(new JoinableQueue<number>(0, { backend: backend() }));
        await using pool = new Pool({ processes: 1, context });
        await pool.apply(putThenClose, [out, 1]);
        await pool.apply(putThenClose, [out, 2]);
        expect([await out.get({ timeout: 10_000 }), await out.get({ timeout: 10_000 })]).to.deep.equal([1, 2]);
      });

      it("should let a Pool's initializer keep Redis queues from initargs for its tasks", async () => {
        const jobs = track(new JoinableQueue<number>(0, { backend: backend() }));
        const out = track(new JoinableQueue<number>(0, { backend: backend() }));
        await using pool = new Pool({ processes: 2, initializer: keepRedisQueues, initargs: [jobs, out], context });
        for (let i = 1; i <= 4; i++) await jobs.put(i);
        const taken = await Promise.all([1, 2, 3, 4].map(() => pool.apply(doubleOne)));
        await jobs.join({ signal: AbortSignal.timeout(10_000) });
        expect(taken.sort()).to.deep.equal([1, 2, 3, 4]);
        const got: number[] = [];
        for (let i = 0; i < 4; i++) got.push(await out.get({ timeout: 10_000 }));
        expect(got.sort((a, b) => a - b)).to.deep.equal([2, 4, 6, 8]);
      });

      it('should show a Pool task no password in its queue nor its environment', async () => {
        const q = track(new Queue<unknown>(0, { backend: backend() }));
        const out = track(new Queue<string>(0, { backend: backend() }));
        await using pool = new Pool({ processes: 1, context });
        await pool.apply(describeQueue, [q, out]);
        const seen = JSON.parse(await out.get({ timeout: 10_000 })) as { printed: string; env: string[] };
        expect(seen.printed).to.match(/Queue/);
        expect(seen.printed).to.not.include(password());
        expect(seen.env.filter((k) => k !== 'RXMP_TEST_REDIS_URL' && k !== 'RXMP_REDIS_URL')).to.deep.equal([]);
      });
    });
  }

  it('should let a Process in a worker thread get and put through Redis queues in its args', async () => {
    const jobs = track(new JoinableQueue<number>(0, { backend: backend() }));
    const out = track(new JoinableQueue<number>(0, { backend: backend() }));
    const child = new Process({ target: doubler, args: [jobs, out], [IN_THREAD]: true } as never);
    child.start();
    for (let i = 0; i < 5; i++) await jobs.put(i);
    await jobs.put(-1);
    await jobs.join({ signal: AbortSignal.timeout(10_000) });
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await out.get({ timeout: 10_000 }));
    expect(got).to.deep.equal([0, 2, 4, 6, 8]);
    await child.join();
    expect(child.exitCode).to.equal(0);
  });

  it('should show a Process in a worker thread no password in its queue', async () => {
    const q = track(new Queue<unknown>(0, { backend: backend() }));
    const out = track(new Queue<string>(0, { backend: backend() }));
    const child = new Process({ target: describeQueue, args: [q, out], [IN_THREAD]: true } as never);
    child.start();
    const seen = JSON.parse(await out.get({ timeout: 10_000 })) as { printed: string };
    await child.join();
    expect(seen.printed).to.not.include(password());
  });

  it('should refuse a descriptor whose credentials never came, naming the cause and the fix', () => {
    const b = backend();
    const q = track(new Queue<number>(0, { backend: b }));
    // Copied by hand (as JSON would be): its secret id names nothing this process received.
    const descriptor = JSON.parse(JSON.stringify(encodeQueues(q))) as never;
    let error: unknown;
    try {
      adoptQueue(descriptor);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RedisCredentialsMissingError).with.property('code', 'ERR_REDIS_CREDENTIALS_MISSING');
    expect(error).to.include({ queue: b.name, server: (descriptor as { url: string }).url });
    expect((error as Error).message).to.match(/without its credentials/).and.match(/Pass the queue itself/);
    expect((error as Error).message).to.not.include(password());
  });
});
