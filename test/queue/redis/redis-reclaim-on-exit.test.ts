import { expect } from 'chai';
import { JoinableQueue, Process, Queue, redis, type RedisBackend } from '../../../src/index.js';
import { queueKeys } from '../../../src/queue/redis/keys.js';
import { connectRedis, type RedisLink } from '../../../src/queue/redis/redis-link.js';
import { parseRedisUrl } from '../../../src/queue/redis/redis-url.js';
import { assertChildrenExitSoon, isPidAlive } from '../../helpers.js';
import { disposeAfterEach, useRedis } from '../../redis-fixture.js';
import { dieOnPoison, holdItems } from '../../fixtures/redis-backend-targets.js';

// A child that read a Redis queue passed in its args and died: its parent sees the exit and hands
// back what the child held at once (RELEASE), not after the heartbeat deadline. deadAfter is 30 s
// here, so only that path can pass.
describe('a Redis queue whose consumer child is killed', function () {
  this.timeout(30_000);
  const server = useRedis();
  // Disposed after each test, before the checks below (hooks run in the order they are declared).
  const track = disposeAfterEach();
  let raw: RedisLink | undefined;
  let counter = 0;

  function backend(options: { maxDeliveries?: number } = {}): RedisBackend {
    return redis(server.url, { name: `r${process.pid}-${++counter}-${Date.now()}`, deadAfter: 30_000, ...options });
  }

  afterEach(async () => {
    raw?.close();
    raw = undefined;
    await assertChildrenExitSoon();
  });

  it('should give the items the killed child held to another consumer at once, each once, and join settles', async () => {
    const n = 6;
    const jobs = track(new JoinableQueue<number>(0, { backend: backend() }));
    const taken = track(new Queue<number>(0, { backend: backend() }));
    for (let i = 0; i < n; i++) await jobs.put(i);
    const child = new Process({ target: holdItems, args: [jobs, n, taken] });
    child.start();
    expect(await taken.get({ timeout: 10_000 })).to.equal(n);
    const pid = child.pid as number;
    const killedAt = performance.now();
    child.kill();
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push(await jobs.get({ timeout: 5_000 }));
    const ms = performance.now() - killedAt;
    console.log(`      (the killed child's ${n} items reached another consumer ${ms.toFixed(1)} ms after the kill)`);
    expect(ms).to.be.below(5_000);
    expect(got.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) jobs.taskDone();
    await jobs.join();
    await jobs.get({ timeout: 300 }).then(
      (extra) => expect.fail(`item ${extra} came twice`),
      (error: Error) => expect(error.name).to.equal('QueueEmptyError'),
    );
    await child.join();
    expect(child.exitCode).to.equal(-9);
    expect(isPidAlive(pid)).to.equal(false);
  });

  it('should still move an item that kills every consumer to the dead-letter stream after maxDeliveries', async () => {
    const maxDeliveries = 2;
    const shared = backend({ maxDeliveries });
    const jobs = track(new JoinableQueue<string>(0, { backend: shared }));
    await jobs.put('poison');
    await jobs.put('fine');
    const exits: (number | null)[] = [];
    // Deliveries 1..maxDeliveries+1 kill their consumer; the next moves the item to the dead letters.
    for (let round = 0; round < maxDeliveries + 4 && exits.at(-1) !== 0; round++) {
      const child = new Process({ target: dieOnPoison, args: [jobs, 1_000] });
      child.start();
      await child.join();
      exits.push(child.exitCode);
    }
    expect(exits).to.deep.equal([...Array<number>(maxDeliveries + 1).fill(-9), 0]);
    await jobs.join();
    raw = await connectRedis(parseRedisUrl(server.url), { reconnectTimeout: 1000 });
    const dead = (await raw.call(['XRANGE', queueKeys(shared.name).dead, '-', '+'])) as [unknown, unknown[]][];
    expect(dead).to.have.length(1);
    const fields = (dead[0] as [unknown, unknown[]])[1].map(String);
    expect(fields[fields.indexOf('c') + 1]).to.equal(String(maxDeliveries + 2));
  });
});
