import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A put or get on a queue handle that was closed in this process, or whose owning process has
 * exited, so the queue no longer exists.
 *
 * @example
 * q.close(); await q.put(1); // QueueClosedError
 */
export class QueueClosedError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_QUEUE_CLOSED' as const;
}
