import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A non-blocking put (`putNowait`, `put(x, { block: false })`) or a timed put found no free slot.
 *
 * @example
 * ```ts
 * const q = new Queue<number>(1);
 * await q.put(1);
 * try { q.putNowait(2); } catch (e) { if (e instanceof QueueFullError) console.log(e.maxsize); } // 1
 * ```
 */
export class QueueFullError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_QUEUE_FULL' as const;
  /** The queue's `maxsize`. */
  readonly maxsize: number;

  constructor(maxsize: number, message?: string) {
    super(
      message ??
        `The queue is full (maxsize ${maxsize}). Wait for a free slot with \`await put(item)\`, ` +
          'give `put` a longer timeout, or create the queue with a larger maxsize.',
    );
    this.maxsize = maxsize;
  }
}
