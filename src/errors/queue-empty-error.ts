import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A non-blocking get (`getNowait`, `get({ block: false })`) or a timed get found no item.
 *
 * @example
 * ```ts
 * try { new Queue<number>().getNowait(); } catch (e) { console.log(e instanceof QueueEmptyError); } // true
 * ```
 */
export class QueueEmptyError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_QUEUE_EMPTY' as const;
  constructor(message?: string) {
    super(
      message ??
        'The queue is empty. Wait for an item with `await get()`, or give `get` a longer timeout.',
    );
  }
}
