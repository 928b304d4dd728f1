import { LocalQueue } from '../internal/local-queue.js';
import { ON_OUTCOMES, ON_TASK_DONE, UNFINISHED } from '../internal/symbols.js';
import { Queue } from './queue.js';

/**
 * Python's `multiprocessing.JoinableQueue`: a {@link Queue} that counts unfinished tasks. Every put
 * adds one; `taskDone()` removes one; `join()` settles when the count is back to zero.
 *
 * @example
 * const q = new JoinableQueue<string>();
 * await q.put('bread');
 * const item = await q.get();
 * q.taskDone();
 * await q.join(); // settles: every item put has been marked done
 */
export class JoinableQueue<T> extends Queue<T> {
  // taskDone() runs for every item: a field, not the getter, saves it a call (see Queue).
  readonly #backend = this.backend;

  /** Marks one item taken with get() as processed. Throws TaskDoneError if called more times than items were put. */
  taskDone(): void {
    this.#backend.taskDone();
  }

  /** Settles when every item ever put has been marked done with taskDone(). */
  join(): Promise<void> {
    // join(1000) must not read as a wait with a limit that then never ends.
    if (arguments.length > 0) {
      throw new TypeError(
        `join() takes no arguments, as Python's JoinableQueue.join() takes none; got ${arguments.length}. To wait with a limit, race it: Promise.race([q.join(), timeout]).`,
      );
    }
    return this.backend.join();
  }

  protected override isJoinable(): boolean {
    return true;
  }

  /** Items put and not yet marked done (creating process only). */
  [UNFINISHED](): number {
    return this.#owner('knows its unfinished count').unfinished();
  }

  /** Calls `listener` with the outcomes consumers send as they acknowledge items (creating process, before the queue is passed to a child). */
  [ON_OUTCOMES](listener: (outcomes: unknown[]) => void): void {
    this.#owner("can take its consumers' outcomes").onOutcomes(listener);
  }

  /** Calls `listener` with the count of every taskDone, wherever it was called (creating process only). */
  [ON_TASK_DONE](listener: (count: number) => void): void {
    this.#owner('can watch its taskDone calls').onTaskDone(listener);
  }

  // The buffer's side of the queue, which only the process that created it has.
  #owner(can: string): LocalQueue<T> {
    const backend = this.backend;
    if (!(backend instanceof LocalQueue)) throw new TypeError(`Only the process that created a JoinableQueue ${can}.`);
    return backend;
  }
}
