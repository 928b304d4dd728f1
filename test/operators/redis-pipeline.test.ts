import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defer, lastValueFrom, mergeMap, range, toArray } from 'rxjs';
import { ConsumerExitedError, PoisonItemError, RedisPipelineBusyError, consume, queue, redis, type RedisBackendOptions } from '../../src/index.js';
import { connectRedis, type RedisLink } from '../../src/queue/redis/redis-link.js';
import { parseRedisUrl } from '../../src/queue/redis/redis-url.js';
import { assertChildrenExitSoon, childPidsOf, fixtureModule, isPidAlive, waitFor } from '../helpers.js';
import { useRedis } from '../redis-fixture.js';
import { echo, exitsOn, tagged } from '../fixtures/redis-pipeline-targets.js';


type Tagged = { item: number; pid: number; name: string };

// The same source module, in the tree the suite runs (TypeScript under tsx, compiled JavaScript in
// the build npm test runs): the worker command and the pipeline's children then share its classes.
const EXT = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
const CLI = fileURLToPath(new URL(`../../src/cli/main${EXT}`, import.meta.url));
const LOADER = EXT === '.ts' ? ['--import', 'tsx'] : [];

// What Redis-specific the pipeline does, with real pids and a real server: other machines' workers,
// kills, dead letters, keys. The behaviour it shares with the local pipeline is the second run of
// pipeline.test.ts and contract.test.ts (npm run test:on-redis).
describe('queue({ backend: redis(url, { name }) }) + consume()', function () {
  this.timeout(60_000);
  const server = useRedis();
  let raw: RedisLink | undefined;
  const started: ChildProcess[] = [];
  let counter = 0;

  const named = (options: Omit<RedisBackendOptions, 'name'> = {}) => redis(server.url, { name: `pipe-${process.pid}-${++counter}`, ...options });
  const link = async (): Promise<RedisLink> => (raw ??= await connectRedis(parseRedisUrl(server.url), { reconnectTimeout: 1000 }));
  const keysOf = async (name: string): Promise<string[]> => ((await (await link()).call(['KEYS', `rxmp:{${name}*`])) as Buffer[]).map(String);

  // `npx rx-multiprocessing worker` (or producer), from the tree under test.
  function startWorker(name: string, extra: string[] = [], env: NodeJS.ProcessEnv = process.env, command = 'worker'): ChildProcess {
    const args = [...LOADER, CLI, command, '--redis', server.url, '--name', name, '--module', fileURLToPath(fixtureModule('redis-pipeline-targets')), ...extra];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    started.push(child);
    return child;
  }
  const exited = (child: ChildProcess): Promise<number | null> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

  afterEach(async () => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    raw?.close();
    raw = undefined;
    await assertChildrenExitSoon();
  });

  it('should share the items with a worker started from the command line, emit one outcome per item, and remove its keys at the end', async () => {
    const backend = named();
    const worker = startWorker(backend.name, ['--processes', '2', '--once']);
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    // The worker serves the run once it sees it: slow items leave it time to join.
    const results = await lastValueFrom(range(0, 120).pipe(queue({ maxsize: 20, backend }), consume(tagged, { processes: 1, args: [20] }), toArray()));
    expect(results.map((r) => r.item).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
    const pids = new Set(results.map((r) => r.pid));
    const workerChildren = [...pids].filter((pid) => !childPidsOf().includes(pid));
    expect(workerChildren.length, `consumer pids ${[...pids].join(' ')}`).to.be.at.least(1);
    expect(await exited(worker), stderr).to.equal(0);
    expect(workerChildren.some(isPidAlive)).to.equal(false);
    // The pipeline removes its keys as it ends; the worker removes what its consumers read after.
    expect(await keysOf(backend.name)).to.deep.equal([]);
  });

  it('should refuse a second pipeline under a running one\'s name, with RedisPipelineBusyError', async () => {
    const backend = named();
    const first = lastValueFrom(range(0, 10).pipe(queue({ backend }), consume(tagged, { processes: 1, args: [100] }), toArray()));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await lastValueFrom(range(0, 3).pipe(queue({ backend: redis(server.url, { name: backend.name }) }), consume(tagged, { processes: 1, args: [0] }))).catch((error: unknown) => error);
    expect(second).to.be.instanceOf(RedisPipelineBusyError).with.property('pipeline', backend.name);
    expect((await first).length).to.equal(10);
  });

  it('should give the items of a consumer killed with SIGKILL to the others: every item once', async () => {
    const backend = named({ deadAfter: 30_000 });
    const seen: Tagged[] = [];
    let killed: number | undefined;
    await new Promise<void>((resolve, reject) => {
      range(0, 200)
        .pipe(queue({ maxsize: 40, backend }), consume(tagged, { processes: 2, args: [5] }))
        .subscribe({
          next: (r) => {
            seen.push(r);
            if (seen.length === 20) process.kill((killed = r.pid), 'SIGKILL');
          },
          error: reject,
          complete: resolve,
        });
    });
    expect(killed).to.be.a('number');
    expect(isPidAlive(killed as number)).to.equal(false);
    expect(seen).to.have.length(200);
    expect(new Set(seen.map((r) => r.item)).size).to.equal(200);
  });

  it('should go on without a worker killed with SIGKILL: its items run here after its heartbeat deadline, each outcome once', async () => {
    const backend = named({ deadAfter: 1500 });
    const worker = startWorker(backend.name, ['--processes', '1', '--verbose']);
    // The items come once the worker serves the run (it says so): it surely takes some.
    const serving = new Promise<void>((resolve) => worker.stderr?.on('data', (chunk: Buffer) => String(chunk).includes('serving pipeline') && resolve()));
    const seen: Tagged[] = [];
    const local = new Set<number>(childPidsOf());
    let workerChildren: number[] = [];
    await new Promise<void>((resolve, reject) => {
      defer(() => serving)
        .pipe(
          mergeMap(() => range(0, 150)),
          queue({ maxsize: 30, backend }),
          consume(tagged, { processes: 1, args: [20] }),
        )
        .subscribe({
          next: (r) => {
            seen.push(r);
            const fromWorker = !childPidsOf().includes(r.pid) && !local.has(r.pid);
            if (fromWorker && workerChildren.length === 0 && worker.pid !== undefined) {
              workerChildren = childPidsOf(worker.pid);
              worker.kill('SIGKILL');
            }
          },
          error: reject,
          complete: resolve,
        });
    });
    expect(workerChildren.length, 'the worker took items before it was killed').to.be.at.least(1);
    expect(seen).to.have.length(150);
    expect(new Set(seen.map((r) => r.item)).size).to.equal(150);
    // No orphans: the worker's consumers went with it.
    expect(await waitFor(() => !workerChildren.some(isPidAlive), 5000)).to.equal(true);
  });

  it("should let a program killed with SIGKILL take its consumers with it, and its keys expire after keyTtl", async () => {
    const name = `pipe-${process.pid}-${++counter}`;
    const driver = spawn(process.execPath, [...LOADER, fileURLToPath(new URL(`../fixtures/drivers/redis-pipeline-run${EXT}`, import.meta.url)), server.url, name, '2000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(driver);
    let lines = 0;
    driver.stdout?.on('data', (chunk: Buffer) => (lines += String(chunk).split('\n').length - 1));
    expect(await waitFor(() => lines >= 5, 20_000)).to.equal(true);
    const consumers = childPidsOf(driver.pid);
    expect(consumers.length).to.be.at.least(2);
    expect((await keysOf(name)).length).to.be.at.least(3);
    driver.kill('SIGKILL');
    expect(await waitFor(() => !consumers.some(isPidAlive), 5000), 'consumers outlived their program').to.equal(true);
    // keyTtl 2000 after the last heartbeat of anything that used the keys.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(await keysOf(name)).to.deep.equal([]);
  });

  it('should move an item that kills its consumers to the dead-letter stream and fail with PoisonItemError, or skip it', async () => {
    const failed = await lastValueFrom(range(0, 12).pipe(queue({ backend: named({ maxDeliveries: 1 }) }), consume(exitsOn, { processes: 2, args: [5] }), toArray())).catch((error: unknown) => error);
    expect(failed).to.be.instanceOf(PoisonItemError);
    await assertChildrenExitSoon();
    const skipped = await lastValueFrom(range(0, 12).pipe(queue({ backend: named({ maxDeliveries: 1 }) }), consume(exitsOn, { processes: 2, args: [5], onError: 'skip' }), toArray()));
    expect(skipped.map((r) => r.item).sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
  });

  it('should keep what Redis holds within maxsize while the consumers are slow', async () => {
    const backend = named();
    let peak = 0;
    const sampler = setInterval(() => {
      void link()
        .then((l) => l.call(['GET', `rxmp:{${backend.name}}:alive`]))
        .then((alive) => (peak = Math.max(peak, Number(String(alive ?? '0')))), () => {});
    }, 20);
    try {
      const results = await lastValueFrom(range(0, 100).pipe(queue({ maxsize: 10, backend }), consume(tagged, { processes: 2, args: [10] }), toArray()));
      expect(results).to.have.length(100);
    } finally {
      clearInterval(sampler);
    }
    expect(peak).to.be.at.least(5).and.at.most(10);
  });

  it('should take the items of producers started from the command line, wait for them, and go on when one is killed', async () => {
    const backend = named({ deadAfter: 1500 });
    const whole = startWorker(backend.name, ['--export', 'slowCount', '--args', '["w", 20, 10]'], process.env, 'producer');
    const killed = startWorker(backend.name, ['--export', 'slowCount', '--args', '["k", 1000, 20]'], process.env, 'producer');
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      range(0, 10)
        .pipe(queue({ maxsize: 10, backend, remoteProducers: 2 }), consume(echo, { processes: 2 }))
        .subscribe({
          next: (item) => {
            seen.push(String(item));
            if (seen.filter((i) => i.startsWith('k')).length === 10) killed.kill('SIGKILL');
          },
          error: reject,
          complete: resolve,
        });
    });
    expect(await exited(whole)).to.equal(0);
    const of = (prefix: string) => seen.filter((i) => i.startsWith(prefix));
    expect(seen.filter((i) => /^\d+$/.test(i))).to.have.length(10);
    expect(of('w').sort()).to.deep.equal(Array.from({ length: 20 }, (_, i) => `w${i}`).sort());
    // What the killed producer put before it died, each once.
    const fromKilled = of('k');
    expect(fromKilled.length).to.be.at.least(10).and.below(1000);
    expect(new Set(fromKilled).size).to.equal(fromKilled.length);
    expect(new Set(seen).size).to.equal(seen.length);
  });

  it("should fail with ConsumerExitedError when a consumer dies holding items and onConsumerExit is 'error'", async () => {
    const failed = await lastValueFrom(range(0, 12).pipe(queue({ backend: named() }), consume(exitsOn, { processes: 1, args: [3], onConsumerExit: 'error' }))).catch((error: unknown) => error);
    expect(failed).to.be.instanceOf(ConsumerExitedError);
  });
});
