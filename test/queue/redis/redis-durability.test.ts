import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoinableQueue, Process, redis, type RedisBackend, type RedisBackendOptions } from '../../../src/index.js';
import { queueKeys } from '../../../src/queue/redis/keys.js';
import { connectRedis } from '../../../src/queue/redis/redis-link.js';
import { parseRedisUrl } from '../../../src/queue/redis/redis-url.js';
import { findRedisServer, freePort, startRedisServer, type RedisServer } from '../../../scripts/redis-server.js';
import { assertChildrenExitSoon, isPidAlive, tempFile, waitFor } from '../../helpers.js';
import { aliveCount, disposeAfterEach, useRedis } from '../../redis-fixture.js';
import { handleAndLog, putAndLog } from '../../fixtures/redis-durability-targets.js';

// Kill tests with real pids. Each checks that every item is handled (its outcome logged) at least once,
// counted done exactly once (Redis's unfinished counter ends at exactly 0, join settles, nothing comes
// twice to the final drain), that nothing is lost, and that no process is left.

// The lines of a log a child appends to (an unfinished last line is not counted).
function logLines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}


// Takes every item until none comes for `idle` ms, marking each done.
async function drain(q: JoinableQueue<number>, idle: number): Promise<number[]> {
  const got: number[] = [];
  for (;;) {
    let item: number;
    try {
      item = await q.get({ timeout: idle });
    } catch (error) {
      if ((error as Error).name === 'QueueEmptyError') return got;
      throw error;
    }
    got.push(item);
    q.taskDone();
  }
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('Redis queue durability: kill -9 of its processes', function () {
  this.timeout(90_000);
  const server = useRedis();
  const track = disposeAfterEach();
  let counter = 0;

  function backend(): RedisBackend {
    // 30 s: only the parent's hand-back on a child's exit can bring its items back within the bounds below.
    return redis(server.url, { name: `dur${process.pid}-${++counter}-${Date.now()}`, deadAfter: 30_000 });
  }

  // The pids each test started: every one must be gone at its end (the forkserver's spares are not ours).
  let pids: number[] = [];
  function started(p: Process): Process {
    pids.push(p.pid as number);
    return p;
  }

  afterEach(async () => {
    await assertChildrenExitSoon();
    const left = pids.filter(isPidAlive);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    pids = [];
    expect(left, 'pids left alive').to.deep.equal([]);
  });

  it('should deliver every item whose put() resolved in a producer killed mid-run, each once', async () => {
    const shared = backend();
    const jobs = track(new JoinableQueue<number>(0, { backend: shared }));
    const log = tempFile('puts');
    writeFileSync(log, '');
    const producer = new Process({ target: putAndLog, args: [jobs, 1_000_000, log] });
    producer.start();
    started(producer);
    expect(await waitFor(() => logLines(log).length >= 300, 30_000), 'the producer confirmed 300 puts').to.equal(true);
    const pid = producer.pid as number;
    producer.kill();
    await producer.join();
    expect(producer.exitCode).to.equal(-9);
    expect(isPidAlive(pid)).to.equal(false);
    const confirmed = logLines(log).map(Number);
    expect(confirmed).to.deep.equal(range(confirmed.length));
    const got = await drain(jobs, 2_000);
    const sorted = [...got].sort((a, b) => a - b);
    expect(new Set(got).size, 'no item delivered twice').to.equal(got.length);
    // Every confirmed put, and at most the one put in flight at the kill (puts were awaited one by one).
    expect(sorted.slice(0, confirmed.length)).to.deep.equal(confirmed);
    expect(sorted.length).to.be.within(confirmed.length, confirmed.length + 1);
    console.log(`      (${confirmed.length} puts confirmed before the kill, ${got.length} items delivered)`);
    await jobs.join({ signal: AbortSignal.timeout(10_000) });
    expect(await aliveCount(server.url, shared.name)).to.equal('0');
  });

  it('should give the items of a consumer child killed mid-run to another, each counted done once', async () => {
    const n = 150;
    const shared = backend();
    const jobs = track(new JoinableQueue<number>(0, { backend: shared }));
    for (const i of range(n)) await jobs.put(i);
    const log = tempFile('outcomes');
    writeFileSync(log, '');
    // The victim spends 300 ms on each item: killed just after it logs one, it is holding that one.
    const consumers = [300, 20].map((ms) => new Process({ target: handleAndLog, args: [jobs, log, ms, 2_000] }));
    for (const c of consumers) {
      c.start();
      started(c);
    }
    const [victim, survivor] = consumers as [Process, Process];
    const victimPid = victim.pid as number;
    expect(await waitFor(() => logLines(log).filter((l) => l.startsWith(`${victimPid} `)).length >= 3, 30_000)).to.equal(true);
    victim.kill();
    await victim.join();
    expect(victim.exitCode).to.equal(-9);
    const killedAt = performance.now();
    await jobs.join({ signal: AbortSignal.timeout(30_000) });
    console.log(`      (join settled ${(performance.now() - killedAt).toFixed(0)} ms after the kill; deadAfter is 30 000 ms)`);
    await survivor.join();
    expect(survivor.exitCode).to.equal(0);
    const outcomes = logLines(log).map((l) => l.split(' ').map(Number) as [number, number]);
    const byVictim = outcomes.filter(([pid]) => pid === victimPid).map(([, item]) => item);
    const bySurvivor = outcomes.filter(([pid]) => pid === survivor.pid).map(([, item]) => item);
    expect(byVictim.length + bySurvivor.length).to.equal(outcomes.length);
    // Every item handled at least once; the survivor handled each at most once.
    expect([...new Set(outcomes.map(([, item]) => item))].sort((a, b) => a - b)).to.deep.equal(range(n));
    expect(new Set(bySurvivor).size).to.equal(bySurvivor.length);
    // The item in the victim's hand at the kill was handled again by the survivor.
    expect(bySurvivor).to.include(byVictim.at(-1));
    expect(await aliveCount(server.url, shared.name)).to.equal('0');
    expect(await jobs.get({ timeout: 300 }).catch((error: Error) => error.name)).to.equal('QueueEmptyError');
    for (const pid of [victimPid, survivor.pid as number]) expect(isPidAlive(pid)).to.equal(false);
  });
});

describe('Redis queue durability: redis-server restarted with AOF (appendfsync everysec)', function () {
  this.timeout(120_000);
  const track = disposeAfterEach();
  let dir: string | undefined;
  let server: RedisServer | undefined;
  let settings: { port: number; password: string } | undefined;

  before(function () {
    if (!findRedisServer()) this.skip();
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxmp-aof-'));
    settings = { port: await freePort(), password: randomBytes(18).toString('base64url') };
    server = await start();
  });

  afterEach(async () => {
    const pid = server?.pid;
    await server?.stop();
    server = undefined;
    if (pid !== undefined) expect(isPidAlive(pid), 'redis-server left running').to.equal(false);
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  // The server on this test's dir, port and password: a restart finds the same data at the same URL.
  function start(): Promise<RedisServer> {
    return startRedisServer({ aof: true, dir, ...settings });
  }

  function open(name: string, options: Partial<RedisBackendOptions> = {}): JoinableQueue<number> {
    return track(new JoinableQueue<number>(0, { backend: redis((server as RedisServer).url, { name, deadAfter: 30_000, reconnectTimeout: 30_000, ...options }) }));
  }

  it('should lose nothing over a graceful restart (SIGTERM), and its clients go on where they were', async () => {
    const name = `aof${process.pid}-${Date.now()}`;
    const q = open(name);
    for (const i of range(300)) await q.put(i);
    const before: number[] = [];
    for (let i = 0; i < 110; i++) before.push(await q.get({ timeout: 5_000 }));
    for (let i = 0; i < 100; i++) q.taskDone();
    // The 100 taskDone()s reach Redis before the restart; the last 10 items stay held, not done.
    let alive = '';
    for (const until = Date.now() + 10_000; alive !== '200' && Date.now() < until; ) alive = await aliveCount((server as RedisServer).url, name);
    expect(alive).to.equal('200');
    const old = server as RedisServer;
    await old.stop();
    expect(isPidAlive(old.pid)).to.equal(false);
    // A put made while the server is down waits for it.
    const lateput = q.put(300);
    await new Promise((r) => setTimeout(r, 500));
    server = await start();
    await lateput;
    for (let i = 0; i < 10; i++) q.taskDone();
    const after = await drain(q, 3_000);
    expect([...before, ...after].sort((a, b) => a - b)).to.deep.equal(range(301));
    await q.join({ signal: AbortSignal.timeout(15_000) });
    expect(await aliveCount(server.url, name)).to.equal('0');
  });

  it('should wait through a restart for the first get and join, whose connections open during it', async () => {
    const name = `first${process.pid}-${Date.now()}`;
    const producer = open(name);
    const consumer = open(name);
    await producer.put(1);
    // The consumer's queue is open, but its reading and event connections are made by its first get and join.
    expect(await consumer.qsize()).to.be.a('number');
    await (server as RedisServer).stop();
    const got = consumer.get({ timeout: 20_000 });
    const joined = producer.join({ signal: AbortSignal.timeout(30_000) });
    await new Promise((r) => setTimeout(r, 1_000));
    server = await start();
    expect(await got).to.equal(1);
    consumer.taskDone();
    await joined;
  });

  it('should wait, not fail, while a restarted server is still loading its AOF (LOADING replies)', async () => {
    const name = `load${process.pid}-${Date.now()}`;
    const q = open(name);
    const raw = await connectRedis(parseRedisUrl((server as RedisServer).url), { reconnectTimeout: 1000 });
    try {
      // Ballast keys in the AOF's RDB base, read back slowly (key-load-delay, µs per key): ~3 s of LOADING.
      await raw.call(['EVAL', "for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'ballast:' .. i, i) end", '0', '15000']);
      // Started, or scheduled behind the AOF's own first rewrite: the loop waits for both.
      await raw.call(['BGREWRITEAOF']);
      for (let info = ''; !/aof_rewrite_in_progress:0/.test(info) || /aof_rewrite_scheduled:1/.test(info); ) {
        info = String(await raw.call(['INFO', 'persistence']));
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      raw.close();
    }
    await q.put(1);
    await (server as RedisServer).stop();
    const restarted = startRedisServer({ aof: true, dir, ...settings, config: ['key-load-delay 200', 'loading-process-events-interval-bytes 1024'] });
    const put = q.put(2);
    server = await restarted;
    await put;
    expect(await drain(q, 2_000)).to.deep.equal([1, 2]);
    await q.join({ signal: AbortSignal.timeout(10_000) });
  });

  // Redis write()s each command to the AOF before it replies, and a killed process's writes stay in
  // the kernel's page cache: kill -9 of redis-server alone should lose no acknowledged write. What
  // everysec leaves unsynced (about the last second) is lost only when the machine itself goes down,
  // which no test here can do. This test measures what a kill -9 loses, with a producer and a
  // consumer running through it.
  it('should lose no acknowledged put on kill -9 of redis-server, and its clients go on or fail typed, never hang', async () => {
    const name = `aof9${process.pid}-${Date.now()}`;
    const producer = open(name);
    const consumer = open(name);
    const confirmed: { item: number; at: number }[] = [];
    const outcomes: number[] = [];
    const failures: string[] = [];
    let stop = false;
    const produce = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await producer.put(i);
          confirmed.push({ item: i, at: performance.now() });
        } catch (error) {
          failures.push(`put: ${(error as Error).name}: ${(error as Error).message}`);
          return;
        }
      }
    })();
    const consume = (async () => {
      for (;;) {
        let item: number;
        try {
          item = await consumer.get({ timeout: 5_000 });
        } catch (error) {
          if ((error as Error).name !== 'QueueEmptyError') failures.push(`get: ${(error as Error).name}: ${(error as Error).message}`);
          return;
        }
        outcomes.push(item);
        consumer.taskDone();
      }
    })();
    // Both running, whatever the load: connected, and items flowing end to end.
    expect(await waitFor(() => outcomes.length >= 200 || failures.length > 0, 30_000), 'items flowed before the kill').to.equal(true);
    await new Promise((r) => setTimeout(r, 1_000));
    const old = server as RedisServer;
    const killedAt = performance.now();
    const confirmedAtKill = confirmed.length;
    process.kill(old.pid, 'SIGKILL');
    await old.stop();
    expect(isPidAlive(old.pid)).to.equal(false);
    await new Promise((r) => setTimeout(r, 500));
    server = await start();
    // Producing goes on for a while on the restarted server.
    await new Promise((r) => setTimeout(r, 2_000));
    stop = true;
    // Never hang: both loops end (the consumer after 5 s without items) within generous bounds.
    const ended = await Promise.race([Promise.all([produce, consume]).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
    expect(ended, 'producer and consumer loops ended').to.equal(true);
    const delivered = new Set(outcomes);
    const lost = confirmed.filter(({ item }) => !delivered.has(item));
    const lostEarly = lost.filter(({ at }) => at < killedAt - LOSS_WINDOW_MS);
    console.log(
      `      (${confirmedAtKill} puts confirmed before the kill, ${confirmed.length} in all; ${outcomes.length} outcomes, ` +
        `${outcomes.length - delivered.size} repeated; lost: ${lost.length}${lost.length ? ` (${lost.map(({ at }) => `${(killedAt - at).toFixed(0)} ms`).join(', ')} before the kill)` : ''}; failures: ${failures.length ? failures.join('; ') : 'none'})`,
    );
    // Within the window of what an AOF that was not fsync'd yet may lose, a loss is Redis's documented
    // everysec trade-off; before it, it would be the library's.
    expect(lostEarly.map(({ item }) => item), 'confirmed puts lost that were older than the fsync window').to.deep.equal([]);
    for (const failure of failures) expect(failure).to.match(/QueueClosedError|RedisConnectionLostError/);
    if (failures.length === 0) {
      expect(lost, 'confirmed puts lost on kill -9 of redis-server').to.deep.equal([]);
      // Seen once under heavy load (not reproduced in 10 runs since): join did not settle, with every
      // item delivered once. The queue's state in Redis goes with the failure, for whoever sees it again.
      await consumer.join({ signal: AbortSignal.timeout(30_000) }).catch(async (error: unknown) => {
        throw new Error(`join did not settle after the kill: ${await describeQueue(server as RedisServer, name)}`, { cause: error });
      });
      expect(await aliveCount(server.url, name)).to.equal('0');
    }
  });
});

// The counters and pending entries of queue `name`, for a failure message.
async function describeQueue(server: RedisServer, name: string): Promise<string> {
  const raw = await connectRedis(parseRedisUrl(server.url), { reconnectTimeout: 1000 });
  try {
    const k = queueKeys(name);
    const read = async (args: string[]) => JSON.stringify(await raw.call(args), (_, v: unknown) => (v && typeof v === 'object' && 'type' in v && (v as { type: unknown }).type === 'Buffer' ? Buffer.from((v as unknown as { data: number[] }).data).toString() : v));
    return `alive ${await read(['GET', k.alive])}, stream length ${await read(['XLEN', k.q])}, pending ${await read(['XPENDING', k.q, 'g'])}, done marks ${await read(['HGETALL', k.hw])}`;
  } finally {
    raw.close();
  }
}

// everysec fsyncs once a second, and Redis lets the fsync lag up to 2 s before it blocks writes.
const LOSS_WINDOW_MS = 3_000;
