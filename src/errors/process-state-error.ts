import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * An operation that the process's current state forbids: starting twice, joining before start,
 * using a closed process, setting `daemon` after start, a daemon starting children, or starting a
 * process from code a child runs because it imported its target's module (a missing `isMainModule`
 * guard; the child then exits with 1, and producer() and consume() fail with this error).
 *
 * @example
 * ```ts
 * export function work(): void {}
 * if (isMainModule(import.meta.url)) {
 *   const p = new Process({ target: work });
 *   p.start();
 *   try { p.start(); } catch (e) { console.log(e instanceof ProcessStateError); } // true: a process starts once
 *   await p.join();
 * }
 * ```
 */
export class ProcessStateError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_PROCESS_STATE' as const;
}
