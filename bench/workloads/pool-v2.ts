// Pool (v2) against piscina and workerpool: one-off tasks (100 sequential calls on a started pool)
// and map() over 2,000 CPU-bound items, the same worker count everywhere, in both of the Pool's
// contexts. A context the Pool refuses, or ignores, is reported as unavailable rather than timed.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import workerpool from 'workerpool';
import { Pool } from 'rx-multiprocessing';
import { countPrimes } from './cpu-task.js';
import { double, runsInThread } from './pool-tasks.js';

export type PoolContext = 'process' | 'thread';

export const POOL_WORKERS = 2;
export const MAP_LIMIT = 20_000;

const TASKS_FILE = fileURLToPath(new URL('./pool-tasks.js', import.meta.url));
const CPU_TASK_FILE = fileURLToPath(new URL('./cpu-task.js', import.meta.url));
const WORKERPOOL_WORKER = fileURLToPath(new URL('../refs/pool-worker.js', import.meta.url));

/** Why a context of our Pool cannot be measured here, once found; undefined while it can. */
const unavailable = new Map<PoolContext, string>();
const verified = new Set<PoolContext>();

export function poolUnavailable(context: PoolContext): string | undefined {
  return unavailable.get(context);
}

/** A started pool of this context, or undefined (and the reason recorded) if the Pool has none. */
async function startPool(context: PoolContext): Promise<Pool | undefined> {
  if (unavailable.has(context)) return undefined;
  let pool: Pool;
  try {
    pool = new Pool({ processes: POOL_WORKERS, context });
  } catch (error) {
    unavailable.set(context, `unavailable: new Pool({ context: '${context}' }) threw: ${(error as Error).message}`);
    return undefined;
  }
  // A context the Pool does not know might be ignored rather than refused: checked on its first pool.
  if (!verified.has(context) && (await pool.apply(runsInThread, [])) !== (context === 'thread')) {
    unavailable.set(context, `unavailable: Pool({ context: '${context}' }) ran its task ${context === 'thread' ? 'outside' : 'in'} a worker thread`);
    pool.terminate();
    await pool.join();
    return undefined;
  }
  verified.add(context);
  return pool;
}

async function stopPool(pool: Pool): Promise<void> {
  pool.close();
  await pool.join();
}

function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** ms for `calls` sequential pool.apply(double, [x]) on a pool already started (one call done). */
export async function runOneOffPool(context: PoolContext, calls: number): Promise<number | undefined> {
  const pool = await startPool(context);
  if (!pool) return undefined;
  try {
    await pool.apply(double, [0]);
    const t0 = process.hrtime.bigint();
    for (let x = 0; x < calls; x++) await pool.apply(double, [x]);
    return since(t0);
  } finally {
    await stopPool(pool);
  }
}

/** The same with piscina's run(), its threads started and one call done. */
export async function runOneOffPiscina(calls: number): Promise<number> {
  const piscina = new Piscina({ filename: TASKS_FILE, name: 'double', minThreads: POOL_WORKERS, maxThreads: POOL_WORKERS });
  try {
    await piscina.run(0);
    const t0 = process.hrtime.bigint();
    for (let x = 0; x < calls; x++) await piscina.run(x);
    return since(t0);
  } finally {
    await piscina.destroy();
  }
}

/**
 * `cold`: from the pool's creation to the results, a user's short map with the workers' start-up
 * (the teardown is not timed). `warm`: the pool created and each worker given a task first, so only
 * the map's dispatch and the work are timed.
 */
export type MapClock = 'cold' | 'warm';

/** The same small task once per worker, in parallel: every worker is then up. */
const WARM_UP = Array.from({ length: POOL_WORKERS }, () => 1_000);

/** items/s of pool.map(countPrimes, items), the default chunksize. */
export async function runMapPool(context: PoolContext, items: number, clock: MapClock): Promise<number | undefined> {
  let t0 = process.hrtime.bigint();
  const pool = await startPool(context);
  if (!pool) return undefined;
  try {
    if (clock === 'warm') {
      await pool.map(countPrimes, WARM_UP, { chunksize: 1 });
      t0 = process.hrtime.bigint();
    }
    const results = await pool.map(countPrimes, Array.from({ length: items }, () => MAP_LIMIT));
    if (results.length !== items) throw new Error(`expected ${items} results, got ${results.length}`);
    return items / (since(t0) / 1000);
  } finally {
    await stopPool(pool);
  }
}

/** The same items as piscina.run() calls, all submitted at once. */
export async function runMapPiscina(items: number, clock: MapClock): Promise<number> {
  let t0 = process.hrtime.bigint();
  const piscina = new Piscina({ filename: CPU_TASK_FILE, name: 'countPrimes', minThreads: POOL_WORKERS, maxThreads: POOL_WORKERS });
  try {
    if (clock === 'warm') {
      await Promise.all(WARM_UP.map((limit) => piscina.run(limit)));
      t0 = process.hrtime.bigint();
    }
    await Promise.all(Array.from({ length: items }, () => piscina.run(MAP_LIMIT)));
    return items / (since(t0) / 1000);
  } finally {
    await piscina.destroy();
  }
}

/** The same items as workerpool exec() calls, all submitted at once. */
export async function runMapWorkerpool(workerType: 'thread' | 'process', items: number, clock: MapClock): Promise<number> {
  let t0 = process.hrtime.bigint();
  const pool = workerpool.pool(WORKERPOOL_WORKER, { workerType, minWorkers: POOL_WORKERS, maxWorkers: POOL_WORKERS });
  try {
    if (clock === 'warm') {
      await Promise.all(WARM_UP.map((limit) => pool.exec('countPrimes', [limit])));
      t0 = process.hrtime.bigint();
    }
    await Promise.all(Array.from({ length: items }, () => pool.exec('countPrimes', [MAP_LIMIT])));
    return items / (since(t0) / 1000);
  } finally {
    await pool.terminate();
  }
}

/**
 * Runs `fn` with NODE_EXTRA_CA_CERTS dropped from this process's environment, which the pools'
 * child processes inherit: the in-process figures, too, both ways.
 */
export async function withoutExtraCaCerts<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env['NODE_EXTRA_CA_CERTS'];
  delete process.env['NODE_EXTRA_CA_CERTS'];
  try {
    return await fn();
  } finally {
    if (saved !== undefined) process.env['NODE_EXTRA_CA_CERTS'] = saved;
  }
}
