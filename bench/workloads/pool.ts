// Pool throughput on a CPU-bound task over 4 processes: consume() against workerpool's process mode.
import { fileURLToPath } from 'node:url';
import { from, lastValueFrom, count } from 'rxjs';
import workerpool from 'workerpool';
import { consume } from 'rx-multiprocessing';
import { countPrimes } from './cpu-task.js';

export async function runConsumePool(tasks: number, limit: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const done = await lastValueFrom(from(Array.from({ length: tasks }, () => limit)).pipe(consume<number, number>(countPrimes, { processes: 4 }), count()));
  if (done !== tasks) throw new Error(`expected ${tasks} results`);
  return tasks / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function runWorkerpool(tasks: number, limit: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const pool = workerpool.pool(fileURLToPath(new URL('../refs/pool-worker.js', import.meta.url)), { workerType: 'process', maxWorkers: 4 });
  await Promise.all(Array.from({ length: tasks }, () => pool.exec('countPrimes', [limit])));
  const rate = tasks / (Number(process.hrtime.bigint() - t0) / 1e9);
  await pool.terminate();
  return rate;
}
