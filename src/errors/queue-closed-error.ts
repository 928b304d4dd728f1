import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A put or get on a queue handle that was closed in this process, or whose owning process has
 * exited, so the queue no longer exists.
 *
 * @example
 * ```ts
 * const q = new Queue<number>();
 * q.close();
 * try { await q.put(1); } catch (e) { console.log(e instanceof QueueClosedError); } // true
 * ```
 */
export class QueueClosedError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_QUEUE_CLOSED' as const;
}
