import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * `taskDone()` was called more times than items were put into the JoinableQueue.
 *
 * @example
 * ```ts
 * try { new JoinableQueue().taskDone(); } catch (e) { console.log(e instanceof TaskDoneError); } // true
 * ```
 */
export class TaskDoneError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_TASK_DONE' as const;
  constructor(detail = '') {
    super(
      `taskDone() called too many times${detail}. Call taskDone() once for each item taken with get(), ` +
        'after processing it.',
    );
  }
}
