import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { JoinableQueue, redis, type RedisBackend } from '../../../src/index.js';
import { connectRedis, type RedisLink } from '../../../src/queue/redis/redis-link.js';
import { parseRedisUrl } from '../../../src/queue/redis/redis-url.js';
import { isPidAlive, spawnScript, waitFor } from '../../helpers.js';
import { createProxyLink, type SplitLink } from '../../net-namespace.js';
import { disposeAfterEach, useRedis } from '../../redis-fixture.js';

// A plain Node program (spawned here, not a library Process: no parent of ours hands its items back)
// holds items of a Redis JoinableQueue, none done, and gets a signal. deadAfter is 30 s, so only the
// hand-back on the signal can bring the items to another consumer within the bounds below.
describe('a process holding Redis queue items that gets SIGTERM or SIGINT', function () {
  this.timeout(60_000);
  // Its own server: one test pauses its clients.
  const server = useRedis({ own: true });
  const track = disposeAfterEach();
  const children: ChildProcess[] = [];
  let raw: RedisLink | undefined;
  let proxy: SplitLink | undefined;
  let counter = 0;

  function backend(): RedisBackend {
    return redis(server.url, { name: `sig${process.pid}-${++counter}-${Date.now()}`, deadAfter: 30_000 });
  }

  afterEach(async () => {
    await raw?.call(['CLIENT', 'UNPAUSE']).catch(() => {});
    raw?.close();
    raw = undefined;
    await proxy?.remove();
    proxy = undefined;
    const alive = children.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of alive) child.kill('SIGKILL');
    await Promise.all(alive.map((child) => once(child, 'exit')));
    const left = alive.map((child) => child.pid as number).filter(isPidAlive);
    expect(left, 'holder processes left alive').to.deep.equal([]);
    if (alive.length > 0) expect.fail(`a test left ${alive.length} holder process(es) running`);
  });

  // Starts the holder taking `n` items; resolves with its pid once it holds them, and each later stdout line.
  async function startHolder(name: string, n: number, mode = '', url = server.url): Promise<{ child: ChildProcess; pid: number; items: number[]; lines: string[] }> {
    const child = spawnScript('test/fixtures/redis-signal-holder.ts', [url, name, String(n), ...(mode ? [mode] : [])]);
    children.push(child);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    expect(await waitFor(() => out.includes('\n') || child.exitCode !== null, 20_000), 'the holder reported its items').to.equal(true);
    const report = JSON.parse(out.split('\n')[0] as string) as { pid: number; items: number[] };
    expect(report.pid).to.equal(child.pid);
    return {
      child,
      ...report,
      get lines() {
        return out.split('\n').slice(1).filter(Boolean);
      },
    };
  }

  // Takes `n` items within `ms`, in any order.
  async function takeAll(q: JoinableQueue<number>, n: number, ms: number): Promise<number[]> {
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push(await q.get({ timeout: ms }));
    return got.sort((a, b) => a - b);
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`should hand its items back at once on ${signal}, then end by ${signal}`, async () => {
      const n = 5;
      const shared = backend();
      const jobs = track(new JoinableQueue<number>(0, { backend: shared }));
      for (let i = 0; i < n; i++) await jobs.put(i);
      const holder = await startHolder(shared.name, n);
      expect([...holder.items].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4]);
      const exited = once(holder.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const sentAt = performance.now();
      process.kill(holder.pid, signal);
      const got = await takeAll(jobs, n, 10_000);
      const ms = performance.now() - sentAt;
      console.log(`      (the ${n} items reached another consumer ${ms.toFixed(0)} ms after ${signal}; deadAfter is 30 000 ms)`);
      expect(ms).to.be.below(10_000);
      expect(got).to.deep.equal([0, 1, 2, 3, 4]);
      expect(await exited).to.deep.equal([null, signal]);
      expect(isPidAlive(holder.pid)).to.equal(false);
      for (let i = 0; i < n; i++) jobs.taskDone();
      await jobs.join();
      expect(await jobs.get({ timeout: 300 }).catch((error: Error) => error.name)).to.equal('QueueEmptyError');
    });
  }

  it('should hand the items back but leave the ending to a process that listens for the signal itself', async () => {
    const n = 3;
    const shared = backend();
    const jobs = track(new JoinableQueue<number>(0, { backend: shared }));
    for (let i = 0; i < n; i++) await jobs.put(i);
    const holder = await startHolder(shared.name, n, 'own');
    const exited = once(holder.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    process.kill(holder.pid, 'SIGTERM');
    expect(await takeAll(jobs, n, 10_000)).to.deep.equal([0, 1, 2]);
    expect(await waitFor(() => holder.lines.length > 1, 10_000)).to.equal(true);
    expect(holder.lines[0]).to.equal('{"signal":"SIGTERM"}');
    // Its get() waiting for more learns why, once the items are back.
    const failed = JSON.parse(holder.lines[1] as string) as { error: string; message: string };
    expect(failed.error).to.equal('QueueClosedError');
    expect(failed.message).to.match(/closed in this process by SIGTERM: the items it held and had not finished went back to the queue/);
    // Still running: its own listener did not end it, and ours did not either.
    await new Promise((r) => setTimeout(r, 500));
    expect(isPidAlive(holder.pid)).to.equal(true);
    // Its listener ends it on the second signal, with its own status.
    process.kill(holder.pid, 'SIGTERM');
    expect(await exited).to.deep.equal([3, null]);
    for (let i = 0; i < n; i++) jobs.taskDone();
    await jobs.join();
  });

  it('should hand back too what a read in flight at the signal delivered (its reply never arrives)', async () => {
    const shared = backend();
    const jobs = track(new JoinableQueue<number>(0, { backend: shared }));
    await jobs.put(1);
    // The holder reaches Redis through a proxy this test can stop: Redis serves its waiting read,
    // and the reply stays in the proxy while the signal closes the holder's reader.
    proxy = createProxyLink('this test holds a reply back');
    const holder = await startHolder(shared.name, 1, '', await proxy.remoteUrl(server.url));
    const exited = once(holder.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    // Its next read is waiting in Redis (it blocks up to 1 s, and is sent again at once).
    await new Promise((r) => setTimeout(r, 300));
    proxy.cut();
    await jobs.put(2);
    raw = await connectRedis(parseRedisUrl(server.url), { reconnectTimeout: 1000 });
    const pending = (await raw.call(['XPENDING', `rxmp:{${shared.name}}:q`, 'g'])) as unknown[];
    expect(Number(pending[0]), 'entries pending: the one held, and the one the read in flight took').to.equal(2);
    process.kill(holder.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    proxy.restore();
    const sentAt = performance.now();
    expect(await takeAll(jobs, 2, 10_000)).to.deep.equal([1, 2]);
    console.log(`      (both items reached another consumer ${(performance.now() - sentAt).toFixed(0)} ms after the link came back; deadAfter is 30 000 ms)`);
    expect(await exited).to.deep.equal([null, 'SIGTERM']);
    jobs.taskDone();
    jobs.taskDone();
    await jobs.join();
  });

  it('should end at once, by the signal, on a second signal while the hand-back waits for Redis', async () => {
    const shared = backend();
    const jobs = track(new JoinableQueue<number>(0, { backend: shared }));
    await jobs.put(7);
    const holder = await startHolder(shared.name, 1);
    const exited = once(holder.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    raw = await connectRedis(parseRedisUrl(server.url), { reconnectTimeout: 1000 });
    // Writes (the hand-back's script among them) wait for 20 s: only the second signal can end it sooner.
    await raw.call(['CLIENT', 'PAUSE', '20000', 'WRITE']);
    process.kill(holder.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(isPidAlive(holder.pid), 'the first signal waits for the hand-back').to.equal(true);
    const sentAt = performance.now();
    process.kill(holder.pid, 'SIGTERM');
    expect(await exited).to.deep.equal([null, 'SIGTERM']);
    expect(performance.now() - sentAt).to.be.below(3_000);
    await raw.call(['CLIENT', 'UNPAUSE']);
  });
});
