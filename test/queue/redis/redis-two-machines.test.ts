import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { range } from 'rxjs';
import { JoinableQueue, consume, queue, redis } from '../../../src/index.js';
import { tagged } from '../../fixtures/redis-pipeline-targets.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../../../scripts/redis-server.js';
import { childPidsOf, isPidAlive, ROOT, tempFile, waitFor } from '../../helpers.js';
import { createSplitLink, type SplitLink } from '../../net-namespace.js';
import { aliveCount, disposeAfterEach } from '../../redis-fixture.js';

// The tree the suite runs (TypeScript under tsx, or the compiled copy npm test runs): the second
// machine runs the same, without compiling TypeScript in each of its processes when it need not.
const EXT = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
const LOADER = EXT === '.ts' ? ['--import', 'tsx'] : [];

// "Two machines": a consumer in a network namespace (test/net-namespace.ts; a loopback TCP proxy where
// namespaces are not permitted) reads a Redis queue on this host, and its link is cut mid-run. No
// parent watches it, so only the heartbeat deadline can move its items: a consumer on the host must
// get them within deadAfter + 2 s, and every item must be done exactly once, none lost.
describe('a Redis queue whose consumer on another "machine" is cut off mid-run', function () {
  this.timeout(120_000);
  const track = disposeAfterEach();
  let link: SplitLink | undefined;
  let server: RedisServer | undefined;
  let remotePids: number[] = [];

  before(function () {
    if (!findRedisServer()) this.skip();
  });

  afterEach(async () => {
    await link?.remove();
    link = undefined;
    const left = remotePids.filter(isPidAlive);
    remotePids = [];
    const serverPid = server?.pid;
    await server?.stop();
    server = undefined;
    expect(left, 'consumer pids left on the second machine').to.deep.equal([]);
    if (serverPid !== undefined) expect(isPidAlive(serverPid), 'redis-server left running').to.equal(false);
  });

  // The consumer on the second machine. The worker CLI (`npx rx-multiprocessing worker …`) replaces
  // this fixture here once it exists: what the test needs is a process that takes items of `name`,
  // logs `<pid> took <item>` / `<pid> done <item>` to `log`, and exits once the queue stays empty.
  function startRemoteConsumer(on: SplitLink, url: string, name: string, log: string): ChildProcess {
    return on.spawn(process.execPath, [...LOADER, `test/fixtures/redis-net-consumer${EXT}`, url, name, String(DEAD_AFTER_MS), log, '100', '8000'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  it('should give the cut-off consumer\'s items to one on the host within deadAfter + 2 s, each done once, none lost', async () => {
    link = createSplitLink();
    console.log(`      (second machine: ${link.kind === 'netns' ? 'a network namespace with a veth pair' : `a loopback TCP proxy, because ${link.fallbackReason}`})`);
    server = await startRedisServer({ bind: link.serverBind });
    const name = `net${process.pid}-${Date.now()}`;
    const jobs = track(new JoinableQueue<number>(0, { backend: redis(server.url, { name, deadAfter: DEAD_AFTER_MS }) }));
    const n = 60;
    for (let i = 0; i < n; i++) await jobs.put(i);
    const log = tempFile('net');
    writeFileSync(log, '');
    const remote = startRemoteConsumer(link, await link.remoteUrl(server.url), name, log);
    remotePids.push(remote.pid as number);
    let stderr = '';
    remote.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const remoteExit = once(remote, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(await waitFor(() => lines().filter((l) => l.includes(' took ')).length >= 5, 30_000), `the remote consumer took 5 items (stderr: ${stderr})`).to.equal(true);

    link.cut();
    const cutAt = performance.now();
    const atCut = lines();
    const remotePid = Number(atCut[0]?.split(' ')[0]);
    expect(remotePid, 'the logged pid is the spawned process itself').to.equal(remote.pid);
    const itemsLogged = (verb: string, from: readonly string[]) => from.filter((l) => l.includes(` ${verb} `)).map((l) => Number(l.split(' ')[2]));
    const doneBeforeCut = new Set(itemsLogged('done', atCut));
    const heldAtCut = itemsLogged('took', atCut).filter((item) => !doneBeforeCut.has(item));
    expect(heldAtCut.length, 'the remote consumer held an item at the cut').to.be.greaterThan(0);

    // The host consumes until join settles: the remote's held items reach it only once the
    // heartbeat deadline has passed.
    const got = new Map<number, number>();
    let joined = false;
    const join = jobs.join({ signal: AbortSignal.timeout(60_000) }).then(() => (joined = true));
    const repeated: number[] = [];
    while (!joined) {
      let item: number;
      try {
        item = await jobs.get({ timeout: 500 });
      } catch (error) {
        if ((error as Error).name === 'QueueEmptyError') continue;
        throw error;
      }
      if (got.has(item)) repeated.push(item);
      got.set(item, performance.now() - cutAt);
      jobs.taskDone();
    }
    await join;
    const latencies = heldAtCut.map((item) => got.get(item));
    console.log(`      (items held by the cut-off consumer: ${heldAtCut.join(', ')}; on the host ${latencies.map((ms) => `${ms?.toFixed(0)} ms`).join(', ')} after the cut; deadAfter ${DEAD_AFTER_MS} ms)`);
    for (const [i, ms] of latencies.entries()) {
      expect(ms, `held item ${heldAtCut[i]} reached the host`).to.not.equal(undefined);
      expect(ms).to.be.below(DEAD_AFTER_MS + 2_000);
    }
    expect(repeated, 'items the host got twice').to.deep.equal([]);
    // None lost: every item was handled on one side or the other.
    const handled = new Set([...got.keys(), ...itemsLogged('took', lines())]);
    expect([...handled].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
    expect(await aliveCount(server.url, name)).to.equal('0');

    // The link comes back: the cut-off consumer's late acknowledgement of the items taken from it
    // must not count them done a second time, and it ends on its own once the queue stays empty.
    link.restore();
    const [code, signal] = await Promise.race([remoteExit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the remote consumer did not exit (stderr: ${stderr})`)), 60_000))]);
    expect({ code, signal, stderr }).to.deep.equal({ code: 0, signal: null, stderr: '' });
    expect(isPidAlive(remotePid)).to.equal(false);
    expect(await aliveCount(server.url, name)).to.equal('0');
    expect(await jobs.get({ timeout: 300 }).catch((error: Error) => error.name)).to.equal('QueueEmptyError');
  });

  it('should run a pipeline across a worker command on the other machine, and go on without it when its link is cut: one outcome per item, none lost', async () => {
    link = createSplitLink();
    server = await startRedisServer({ bind: link.serverBind });
    const name = `netpipe${process.pid}-${Date.now()}`;
    // `npx rx-multiprocessing worker` on the second machine, the URL in its environment.
    const worker = link.spawn(process.execPath, [...LOADER, `src/cli/main${EXT}`, 'worker', '--name', name, '--module', `test/fixtures/redis-pipeline-targets${EXT}`, '--processes', '2'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RXMP_REDIS_URL: await link.remoteUrl(server.url) },
    });
    remotePids.push(worker.pid as number);
    const here = new Set<number>();
    const seen: { item: number; pid: number }[] = [];
    let cutAt: number | undefined;
    let remoteBeforeCut = 0;
    let remoteAfterCut = 0;
    const n = 300;
    await new Promise<void>((resolve, reject) => {
      range(0, n)
        .pipe(queue({ maxsize: 40, backend: redis(server!.url, { name, deadAfter: DEAD_AFTER_MS }) }), consume(tagged, { processes: 1, args: [20] }))
        .subscribe({
          next: (r) => {
            seen.push(r);
            for (const pid of childPidsOf()) here.add(pid);
            const remote = !here.has(r.pid);
            if (remote && cutAt === undefined && ++remoteBeforeCut === 10) {
              link!.cut();
              cutAt = performance.now();
            }
            else if (remote && cutAt !== undefined) remoteAfterCut++;
          },
          error: reject,
          complete: resolve,
        });
    });
    expect(cutAt, 'the worker on the second machine served items before the cut').to.not.equal(undefined);
    const items = seen.map((r) => r.item);
    expect(new Set(items).size, 'distinct items').to.equal(n);
    expect(items, 'one outcome per item').to.have.length(n);
    // Outcomes written before the cut may still be read after it; the items the worker held when cut
    // off ran here once its heartbeat deadline passed (or the run would not have completed).
    console.log(`      (${remoteBeforeCut} outcomes from the second machine before the cut, ${remoteAfterCut} read after it; the run completed ${((performance.now() - (cutAt as number)) / 1000).toFixed(1)} s after the cut)`);
    // The link comes back: the worker sees the run has ended, and its consumers go.
    link.restore();
    worker.kill('SIGINT');
    const [code] = (await Promise.race([once(worker, 'exit'), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the worker did not stop on SIGINT')), 30_000))])) as [number | null];
    expect(code).to.equal(0);
  });
});


const DEAD_AFTER_MS = 2_000;
