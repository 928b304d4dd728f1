import { expect } from 'chai';
import { once } from 'node:events';
import { inspect } from 'node:util';
import { QueueClosedError } from '../../../src/errors/queue-closed-error.js';
import { QueueEmptyError } from '../../../src/errors/queue-empty-error.js';
import { QueueFullError } from '../../../src/errors/queue-full-error.js';
import { TaskDoneError } from '../../../src/errors/task-done-error.js';
import { EntrySignatureError } from '../../../src/queue/redis/errors/entry-signature-error.js';
import { queueKeys } from '../../../src/queue/redis/keys.js';
import { connectRedis, type RedisLink } from '../../../src/queue/redis/redis-link.js';
import { openRedisQueue, type RedisQueue, type RedisQueueOptions } from '../../../src/queue/redis/redis-queue.js';
import { parseRedisUrl } from '../../../src/queue/redis/redis-url.js';
import { FORGET, PUT } from '../../../src/queue/redis/scripts.js';
import { deserialize, serialize } from 'node:v8';
import { isPidAlive, rejection, spawnScript, waitFor } from '../../helpers.js';
import { useRedis } from '../../redis-fixture.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('a queue on Redis (src/queue/redis)', function () {
  this.timeout(20_000);
  const redis = useRedis();
  let opened: RedisQueue<unknown>[] = [];
  let raw: RedisLink;
  let counter = 0;

  // A queue under a name no other test (or parallel run) uses.
  async function open<T>(options: Partial<RedisQueueOptions> = {}, name = `t${process.pid}-${++counter}-${Date.now()}`): Promise<RedisQueue<T>> {
    const q = await openRedisQueue<T>({ url: redis.url, name, ...options });
    opened.push(q as RedisQueue<unknown>);
    return q;
  }

  before(async () => {
    raw = await connectRedis(parseRedisUrl(redis.url), { reconnectTimeout: 1000 });
  });
  after(() => raw?.close());
  afterEach(async () => {
    for (const q of opened) await q.destroy().catch(() => q.close());
    opened = [];
  });

  it('should hand out items in the order they were put, across entries and put calls', async () => {
    const q = await open<number>({ batchItems: 7 });
    await q.putMany(range(50));
    for (const i of range(30, 50)) void q.put(i);
    await q.put(80);
    const got: number[] = [];
    while (got.length < 81) got.push(...(await q.getMany(Infinity, 2000)));
    expect(got).to.deep.equal(range(81));
    q.taskDone(81);
    expect(await rejection(q.get(0))).to.be.instanceOf(QueueEmptyError);
  });

  it('should make put wait while maxsize items are unfinished, and go on after a taskDone', async () => {
    const q = await open<number>({ maxsize: 10 });
    await q.putMany(range(10));
    let settled = false;
    const eleventh = q.put(10).then(() => {
      settled = true;
    });
    await q.get();
    // Taken is not done: the item still occupies Redis.
    expect(await q.unfinished()).to.equal(10);
    await new Promise((r) => setTimeout(r, 150));
    expect(settled).to.equal(false);
    const started = Date.now();
    q.taskDone();
    await eleventh;
    expect(Date.now() - started).to.be.below(1000);
    expect(await q.unfinished()).to.equal(10);
    expect(await rejection(q.put(11, 100))).to.be.instanceOf(QueueFullError).with.property('maxsize', 10);
  });

  it('should settle join only after the last taskDone, in another process\'s view too', async () => {
    const q = await open<number>();
    await q.join();
    const other = await open<number>({}, q.name);
    await q.putMany(range(5));
    let joined = false;
    const join = other.join().then(() => {
      joined = true;
    });
    const items = await q.getMany();
    expect(items).to.have.length(5);
    q.taskDone(4);
    await waitFor(() => false, 150);
    expect(joined).to.equal(false);
    expect(await q.unfinished()).to.equal(1);
    const before = Date.now();
    q.taskDone();
    await join;
    expect(Date.now() - before).to.be.below(500);
    expect(() => q.taskDone()).to.throw(TaskDoneError, /called too many times/);
  });

  it('should add a resent batch only once (a put whose reply was lost is sent again)', async () => {
    const q = await open<number>();
    const k = queueKeys(q.name);
    const args = ['3600000', '0', 'producer-x', '0', '2', '1', '1', '', serialize([1]), '1', '1', '', serialize([2])];
    const keys = [k.q, k.alive, k.ev, k.meta, k.pseq];
    expect(await raw.run(PUT, keys, args)).to.deep.equal([2]);
    expect(await raw.run(PUT, keys, args)).to.deep.equal([2]);
    expect(await q.unfinished()).to.equal(2);
    expect(Number(await raw.call(['XLEN', k.q]))).to.equal(2);
    expect(await q.getMany(Infinity, 1000)).to.deep.equal([1]);
    expect(await q.getMany(Infinity, 1000)).to.deep.equal([2]);
    q.taskDone(2);
  });

  it('should not remove a consumer that still holds entries (a paused one that read after being thought dead)', async () => {
    const q = await open<number>();
    const k = queueKeys(q.name);
    await q.putMany([1]);
    await raw.call(['XREADGROUP', 'GROUP', 'g', 'paused', 'COUNT', '1', 'STREAMS', k.q, '>']);
    expect(await raw.run(FORGET, [k.q, k.nodes], ['3600000', 'paused'])).to.equal(0);
    const pending = (await raw.call(['XPENDING', k.q, 'g', '-', '+', '10', 'paused'])) as unknown[];
    expect(pending).to.have.length(1);
    expect(await q.reclaimFrom('paused')).to.equal(1);
    expect(await q.get(1000)).to.equal(1);
    q.taskDone();
    expect(await raw.run(FORGET, [k.q, k.nodes], ['3600000', 'paused'])).to.equal(1);
  });

  it('should settle items at get for a plain (not joinable) queue', async () => {
    const q = await open<number>({ joinable: false, maxsize: 3 });
    await q.putMany(range(3));
    expect(await q.getMany(2)).to.deep.equal([0, 1]);
    await q.put(3, 2000);
    const rest: number[] = [];
    while (rest.length < 2) rest.push(...(await q.getMany(Infinity, 2000)));
    expect(rest).to.deep.equal([2, 3]);
  });

  async function startKilledConsumer(url: string, name: string): Promise<{ consumer: string; pid: number; items: number[] }> {
    const child = spawnScript('test/fixtures/redis-consumer.ts', [url, name, '10']);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    await waitFor(() => out.includes('\n'), 15_000);
    const report = JSON.parse(out) as { consumer: string; pid: number; items: number[] };
    process.kill(report.pid, 'SIGKILL');
    await once(child, 'exit');
    expect(isPidAlive(report.pid)).to.equal(false);
    return report;
  }

  it('should hand a SIGKILLed consumer\'s items to a live one at once when told (its parent saw it die)', async () => {
    const q = await open<number>({ batchItems: 10 });
    await q.putMany(range(100));
    const dead = await startKilledConsumer(redis.url, q.name);
    expect(dead.items.length).to.be.greaterThan(0);
    const started = Date.now();
    const taken = await q.reclaimFrom(dead.consumer);
    const elapsed = Date.now() - started;
    expect(taken).to.be.greaterThan(0);
    expect(elapsed).to.be.below(1000);
    const got: number[] = [];
    while (got.length < 100) got.push(...(await q.getMany(Infinity, 2000)));
    q.taskDone(got.length);
    // Every item exactly once here: the killed consumer finished none.
    expect([...got].sort((a, b) => a - b)).to.deep.equal(range(100));
    expect(q.stats.reclaimed).to.equal(taken);
    await q.join();
  });

  it('should redeliver a SIGKILLed consumer\'s items after its heartbeat deadline, with nobody telling', async () => {
    const q = await open<number>({ batchItems: 10, deadAfter: 600, heartbeat: 100 });
    await q.putMany(range(40));
    const dead = await startKilledConsumer(redis.url, q.name);
    const killedAt = Date.now();
    const got: number[] = [];
    while (got.length < 40) got.push(...(await q.getMany(Infinity, 5000)));
    q.taskDone(got.length);
    expect([...got].sort((a, b) => a - b)).to.deep.equal(range(40));
    expect(q.stats.reclaimed).to.be.greaterThan(0);
    // deadAfter + a heartbeat + generous slack for a loaded machine.
    expect(Date.now() - killedAt).to.be.below(600 + 2000);
    await q.join();
    expect(Number(await raw.call(['ZSCORE', queueKeys(q.name).nodes, dead.consumer]) ?? -1)).to.equal(-1);
  });

  it('should take over entries pending too long for a consumer the heartbeat never saw (the XAUTOCLAIM net)', async () => {
    const q = await open<number>({ heartbeat: 50, autoclaimIdle: 300 });
    await q.putMany(range(5));
    // A reader that never beat: its name is in no heartbeat set, so only the net can find its entries.
    await raw.call(['XREADGROUP', 'GROUP', 'g', 'ghost', 'COUNT', '10', 'STREAMS', queueKeys(q.name).q, '>']);
    expect(await rejection(q.get(0))).to.be.instanceOf(QueueEmptyError);
    const got = await q.getMany(Infinity, 5000);
    expect(got).to.deep.equal(range(5));
    expect(q.stats.reclaimed).to.equal(1);
    q.taskDone(5);
    await q.join();
  });

  it('should hand unfinished items back at close, for another consumer to take at once', async () => {
    const q = await open<number>({ batchItems: 10, deadAfter: 60_000 });
    const leaving = await open<number>({ window: 3, deadAfter: 60_000 }, q.name);
    await q.putMany(range(50));
    const taken = await leaving.getMany();
    expect(taken).to.deep.equal(range(30));
    leaving.taskDone(12);
    await leaving.close();
    opened = opened.filter((o) => o !== leaving);
    const got: number[] = [];
    while (got.length < 38) got.push(...(await q.getMany(Infinity, 2000)));
    q.taskDone(got.length);
    // The 18 taken and not done come back once each; the 12 done do not come back.
    expect([...got].sort((a, b) => a - b)).to.deep.equal(range(38, 12));
    await q.join();
    expect(await q.unfinished()).to.equal(0);
    expect(Number(await raw.call(['ZSCORE', queueKeys(q.name).nodes, leaving.consumer]) ?? -1)).to.equal(-1);
  });

  it('should move an item that kills its consumers to the dead-letter stream, and go on with the rest', async function () {
    this.timeout(40_000);
    const q = await open<string>({ batchItems: 10 });
    await q.putMany(['a', 'b', 'poison', 'c', 'd']);
    // Runs one poison consumer to its end; its JSON lines.
    const run = async (dead: string) => {
      const child = spawnScript('test/fixtures/redis-poison-consumer.ts', [redis.url, q.name, dead, 'poison', '1']);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, lines: out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
    };
    // 1st delivery, a batch: a and b are done, the consumer dies on poison.
    const first = await run('-');
    expect(first.code).to.equal(1);
    expect(first.lines.filter((l) => 'item' in l).map((l) => l.item)).to.deep.equal(['a', 'b']);
    // 2nd delivery (past maxDeliveries 1): one item at a time; it dies on poison again.
    const second = await run(String(first.lines[0]!.consumer));
    expect(second.code).to.equal(1);
    expect(second.lines.filter((l) => 'item' in l)).to.deep.equal([]);
    // 3rd: poison was in hand at both deaths; it goes to the dead letters and c, d are done.
    const third = await run(String(second.lines[0]!.consumer));
    expect(third.code).to.equal(0);
    expect(third.lines.filter((l) => 'item' in l).map((l) => l.item)).to.deep.equal(['c', 'd']);
    const letter = third.lines.find((l) => 'deadLetter' in l)!;
    expect(String(letter.message)).to.match(/was in hand each time its consumer died \(3 deliveries\), so it was moved to the dead-letter stream/);
    expect(third.lines.at(-1)).to.deep.include({ stats: { rejected: 0, reclaimed: 1, duplicatesDropped: 0, deadLettered: 1 } });
    const dead = (await raw.call(['XRANGE', queueKeys(q.name).dead, '-', '+'])) as [unknown, unknown[]][];
    expect(dead).to.have.length(1);
    const fields = dead[0]![1].map((f) => (Buffer.isBuffer(f) ? f : Buffer.from(String(f))));
    expect(deserialize(fields[5]!)).to.deep.equal(['poison']);
    await q.join();
    expect(await q.unfinished()).to.equal(0);
  });

  it('should drop entries that are unsigned or signed with another key, before deserialising them', async () => {
    const rejected: EntrySignatureError[] = [];
    const q = await open<string>({ authkey: 'right', onRejected: (e) => rejected.push(e) });
    const wrong = await open<string>({ authkey: 'wrong' }, q.name);
    await wrong.put('forged');
    // Bytes that are not a v8 payload at all: refused as unsigned, not as malformed, so never decoded.
    await raw.call(['XADD', queueKeys(q.name).q, '*', 'n', '1', 'v', '1', 'd', Buffer.from('not v8')]);
    await q.put('genuine');
    expect(await q.get(3000)).to.equal('genuine');
    q.taskDone();
    expect(rejected.map((e) => e.message)).to.have.length(2);
    expect(rejected[0]).to.be.instanceOf(EntrySignatureError);
    expect(rejected[0]!.message).to.match(/wrong signature, so it was not deserialised/);
    expect(rejected[1]!.message).to.match(/unsigned, so it was not deserialised/);
    expect(q.stats.rejected).to.equal(2);
    await q.join();
  });

  it('should give every key a TTL, and remove every key on destroy', async () => {
    const q = await open<number>({ keyTtl: 60_000, maxsize: 5 });
    await q.putMany(range(3));
    await q.get();
    q.taskDone();
    // The acknowledgement (which writes the hw key for the partly done entry) has reached Redis.
    while ((await q.unfinished()) !== 2) await new Promise((r) => setImmediate(r));
    const keys = queueKeys(q.name);
    const present = [];
    for (const key of keys.all) {
      const ttl = Number(await raw.call(['PTTL', key]));
      if (ttl === -2) continue;
      present.push(key);
      expect(ttl, key).to.be.within(1, 60_000);
    }
    expect(present).to.include.members([keys.q, keys.alive, keys.nodes]);
    await q.destroy();
    opened = opened.filter((o) => o !== q);
    expect(Number(await raw.call(['EXISTS', ...keys.all]))).to.equal(0);
    expect(await rejection(q.get(0))).to.be.instanceOf(QueueClosedError);
  });

  it('should describe itself without the password', async function () {
    const q = await open<number>();
    const { password } = new URL(redis.url);
    const described = JSON.stringify(q.describe());
    expect(described).to.include(q.name);
    // A runner's server without a password leaves nothing to redact.
    if (!password) this.skip();
    expect(described).not.to.include(password);
    // Nor does printing the queue object show it.
    expect(inspect(q, { depth: 10, showHidden: true })).not.to.include(password);
    expect(q.describe().url).to.match(/^redis:\/\/127\.0\.0\.1:\d+/);
  });
});
