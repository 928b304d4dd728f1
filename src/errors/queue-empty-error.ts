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
  constructor(message?: string) {
    super(
      message ??
        'The queue is empty. Wait for an item with `await get()`, or give `get` a longer timeout.',
    );
  }
}
