// The one-off task of the Pool benchmarks, in a module of its own so every pool's workers load only
// it (ours by reference to the export, piscina by file and export name).
import { isMainThread } from 'node:worker_threads';

export function double(x: number): number {
  return x * 2;
}

/** Whether the pool really ran the task on a worker thread: a context it does not know might be ignored. */
export function runsInThread(): boolean {
  return !isMainThread;
}
