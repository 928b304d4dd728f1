// The same Pool on worker threads: `context: 'thread'` starts in milliseconds instead of a process
// start per worker, and the API is the same. The threads share this process: a task that crashes the
// process (out of memory, a native fault) takes the program down, and process.pid is the program's.
import { Pool, isMainModule } from 'rx-multiprocessing';
import { threadId } from 'node:worker_threads';

export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function where(): string {
  return `thread ${threadId} of pid ${process.pid}`;
}

if (isMainModule(import.meta.url)) {
  const started = performance.now();
  await using pool = new Pool({ processes: 2, context: 'thread' });
  console.log(await pool.apply(where, []), `(first result after ${(performance.now() - started).toFixed(0)} ms; main is pid ${process.pid})`);
  console.log('fib(20..25):', await pool.map(fib, [20, 21, 22, 23, 24, 25]));
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('took too long')), 100);
  try {
    await pool.run(fib, [45], { signal: controller.signal });
  } catch (error) {
    console.log(`run() aborted: ${(error as Error).name} (${((error as Error).cause as Error).message}); its worker was replaced`);
  }
  console.log('still working:', await pool.apply(fib, [10]));
}
