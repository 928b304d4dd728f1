import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  JoinableQueue,
  Process,
  Queue,
  QueueEmptyError,
  QueueFullError,
  redis,
  RedisBackend,
  RedisUnreachableError,
  TaskDoneError,
} from '../../../src/index.js';
import { encodeQueues } from '../../../src/queue/queue-handles.js';
import { assertChildrenExitSoon, isPidAlive, rejection } from '../../helpers.js';
import { disposeAfterEach, useRedis } from '../../redis-fixture.js';
import { describeQueue, doubler } from '../../fixtures/redis-backend-targets.js';

// The public option: `backend: redis(url, { name })` on Queue and JoinableQueue (src/queue/redis/
// redis-queue-backend.ts over the engine). The behaviours both backends share are tested by the
// queue test files run a second time with RXMP_REDIS_URL set (npm run test:on-redis).
describe('a Queue with backend: redis(url, { name })', function () {
  this.timeout(30_000);
  const server = useRedis();
  // Disposed after each test, before the checks below (hooks run in the order they are declared).
  const track = disposeAfterEach();
  let counter = 0;

  function backend(name = `b${process.pid}-${++counter}-${Date.now()}`): RedisBackend {
    return redis(server.url, { name });
  }

  afterEach(async () => {
    await assertChildrenExitSoon();
  });

  it('should share one queue between two handles of the same name: put in one, get and join in the other', async () => {
    const shared = backend();
    const a = track(new JoinableQueue<string>(10, { backend: shared }));
    const b = track(new JoinableQueue<string>(10, { backend: redis(server.url, { name: shared.name }) }));
    await a.put('x');
    await a.put('y');
    expect([await b.get(), await b.get()]).to.deep.equal(['x', 'y']);
    let joined = false;
    const join = a.join().then(() => (joined = true));
    b.taskDone();
    await new Promise((r) => setImmediate(r));
    expect(joined).to.equal(false);
    b.taskDone();
    await join;
    expect(() => b.taskDone()).to.throw(TaskDoneError);
  });

  it('should reach a child as a descriptor without the password, and the child connects with what its parent sent privately', async () => {
    const jobs = track(new JoinableQueue<number>(5, { backend: backend() }));
    const out = track(new Queue<number>(0, { backend: backend() }));
    const password = new URL(server.url).password;
    const descriptor = JSON.stringify(encodeQueues([jobs, out]));
    expect(descriptor).to.match(/"kind":"redis"/);
    if (password) expect(descriptor).to.not.include(password);
    const child = new Process({ target: doubler, args: [jobs, out] });
    child.start();
    for (let i = 0; i < 20; i++) await jobs.put(i);
    await jobs.put(-1);
    await jobs.join();
    const got: number[] = [];
    for (let i = 0; i < 20; i++) got.push(await out.get());
    expect(got).to.deep.equal(Array.from({ length: 20 }, (_, i) => i * 2));
    await child.join();
    expect(child.exitCode).to.equal(0);
    expect(isPidAlive(child.pid as number)).to.equal(false);
  });

  it('should show no password in what a child sees of its queue, nor in its environment', async () => {
    const q = track(new Queue<unknown>(0, { backend: backend() }));
    const out = track(new Queue<string>(0, { backend: backend() }));
    const child = new Process({ target: describeQueue, args: [q, out] });
    child.start();
    const seen = JSON.parse(await out.get({ timeout: 20_000 })) as { printed: string; env: string[] };
    await child.join();
    const password = new URL(server.url).password;
    expect(password, 'the test server has a password').to.not.equal('');
    expect(seen.printed).to.not.include(password);
    expect(seen.env.filter((k) => k !== 'RXMP_TEST_REDIS_URL' && k !== 'RXMP_REDIS_URL')).to.deep.equal([]);
  });

  it('should never print the password: the backend, the queue, JSON and the TypeError of a bad option', () => {
    const b = redis('redis://app:s3cret-pw@127.0.0.1:1', { name: 'jobs' });
    const q = track(new Queue<number>(0, { backend: b }));
    expect(inspect(b, { showHidden: true })).to.equal("RedisBackend { name: 'jobs', server: 'redis://app:***@127.0.0.1:1' }");
    expect(JSON.stringify(b)).to.not.include('s3cret-pw');
    expect(inspect(q, { showHidden: true, depth: 10 })).to.not.include('s3cret-pw');
    expect(() => redis('redis://app:s3cret-pw@127.0.0.1:1', { name: 'a b' })).to.throw(TypeError, /whitespace/);
    expect(() => redis('redis://app:s3cret-pw@127.0.0.1:1', { name: 'jobs', deadAfter: -1 })).to.throw(TypeError, /deadAfter/);
    expect(() => redis('http://app:s3cret-pw@host', { name: 'jobs' })).to.throw(TypeError).that.satisfies((e: Error) => !e.message.includes('s3cret-pw'));
  });

  it('should reject put with RedisUnreachableError when nothing listens, naming the fix', async () => {
    const q = track(new Queue<number>(0, { backend: redis('redis://127.0.0.1:1', { name: 'nowhere' }) }));
    const error = await rejection(q.put(1));
    expect(error).to.be.instanceOf(RedisUnreachableError).with.property('code', 'ERR_REDIS_UNREACHABLE');
    expect(error.message).to.match(/Start redis-server/);
  });

  it('should pick Redis for a queue naming no backend while RXMP_REDIS_URL is set, and local for backend: local', () => {
    const before = process.env.RXMP_REDIS_URL;
    process.env.RXMP_REDIS_URL = server.url;
    try {
      const auto = track(new Queue<number>());
      const local = track(new Queue<number>(0, { backend: 'local' }));
      expect(encodeQueues(auto)).to.have.property('kind', 'redis');
      expect(encodeQueues(local)).to.not.have.property('kind');
    } finally {
      if (before === undefined) delete process.env.RXMP_REDIS_URL;
      else process.env.RXMP_REDIS_URL = before;
    }
    expect(encodeQueues(track(new Queue<number>()))).to.not.have.property('kind');
  });

  it('should refuse a backend that is not auto, local or redis(), and redeliver: false on Redis', () => {
    expect(() => new Queue(0, { backend: 'redis' as never })).to.throw(TypeError, /'auto', 'local' or redis\(url, \{ name \}\)/);
    expect(() => new JoinableQueue(0, { backend: backend(), redeliver: false })).to.throw(TypeError, /redeliver/);
  });

  it('should time out a put on a full queue and a get on an empty one, with the local errors', async () => {
    const q = track(new Queue<number>(1, { backend: backend() }));
    await q.put(1);
    expect(await rejection(q.put(2, { timeout: 50 }))).to.be.instanceOf(QueueFullError);
    expect(await rejection(q.put(2, { block: false }))).to.be.instanceOf(QueueFullError);
    expect(await q.get()).to.equal(1);
    expect(await rejection(q.get({ timeout: 30 }))).to.be.instanceOf(QueueEmptyError);
  });

  it('should give up an aborted get without taking an item: the next get receives it', async () => {
    const q = track(new Queue<string>(0, { backend: backend() }));
    const controller = new AbortController();
    const pending = q.get({ signal: controller.signal });
    controller.abort('no longer');
    const error = await rejection(pending);
    expect(error.name).to.equal('AbortError');
    expect((error as Error & { cause: unknown }).cause).to.equal('no longer');
    await q.put('kept');
    expect(await q.get({ timeout: 5000 })).to.equal('kept');
  });

  it('should reject a put waiting for room on abort, its item never arriving', async () => {
    const q = track(new JoinableQueue<string>(1, { backend: backend() }));
    await q.put('first');
    const controller = new AbortController();
    const pending = q.put('aborted', { signal: controller.signal });
    controller.abort();
    expect((await rejection(pending)).name).to.equal('AbortError');
    expect(await q.get()).to.equal('first');
    q.taskDone();
    await q.put('after');
    expect(await q.get({ timeout: 5000 })).to.equal('after');
    q.taskDone();
    await q.join({ signal: AbortSignal.timeout(5000) });
  });
});
