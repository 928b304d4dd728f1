import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A non-blocking put (`putNowait`, `put(x, { block: false })`) or a timed put found no free slot.
 *
 * @example
 * const q = new Queue<number>(1); await q.put(1); q.putNowait(2); // QueueFullError
 */
export class QueueFullError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_QUEUE_FULL' as const;
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
