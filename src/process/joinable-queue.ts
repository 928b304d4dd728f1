import { LocalQueue } from '../queue/local/local-queue.js';
import { abortError, readFields, readSignal } from '../internal/abort.js';
import { showValue } from '../internal/show-value.js';
import { ITERATED, ON_OUTCOMES, ON_TASK_DONE, REDELIVERED, UNFINISHED } from '../internal/symbols.js';
import { Queue, type QueueOptions } from './queue.js';
import { QueueProxy } from '../queue/wire/queue-proxy.js';

/**
 * Options of {@link JoinableQueue}.
 *
 * @example
 * ```ts
 * // Python's exact rule: items held by a consumer that dies are lost, and join() waits for them.
 * const q = new JoinableQueue<string>(100, { redeliver: false });
 * ```
 */
export interface JoinableQueueOptions extends QueueOptions {
  /**
   * `true` (default): items a process got from the queue and had not marked done when it ended
   * (killed, crashed, or exited: the owner sees only its connection close) go back to the head of
   * the queue (logged as a warning), so `join()` settles once they are done elsewhere. The process may have handled them and died before its `taskDone()` left it: such an
   * item is handled twice (at-least-once). `false` is Python's exact rule: they are lost, and
   * `join()` waits for them forever.
   */
  readonly redeliver?: boolean;
}

/**
 * Options of {@link JoinableQueue.join}.
 *
 * @example
 * ```ts
 * const q = new JoinableQueue<number>();
 * await q.put(1);
 * await q.join({ signal: AbortSignal.timeout(100) }).catch((e) => console.log(e.name)); // AbortError: 1 is not done
 * ```
 */
export interface JoinableQueueJoinOptions {
  /** Gives up the wait when aborted: join() rejects with an `AbortError` whose `cause` is the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Python's `multiprocessing.JoinableQueue`: a {@link Queue} that counts unfinished tasks. Every put
 * adds one; `taskDone()` removes one; `join()` settles when the count is back to zero. Unlike
 * Python's, a consumer process that dies does not hang `join()`: see {@link JoinableQueueOptions}.
 *
 * A process's `taskDone()` calls mark its own oldest items done (items are taken in order): a
 * process may mark done only as many items as it took. The process that created the queue may mark
 * any item done (collecting results, say): beyond the items it got itself, its `taskDone()` marks
 * done the oldest item another process took.
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

  /** `maxsize` as for {@link Queue}. */
  constructor(maxsize = 0, options: JoinableQueueOptions = {}) {
    super(maxsize, options);
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Expected the options of JoinableQueue to be an object, got \`${String(options)}\` (${typeof options}).`);
    }
    const { redeliver = true } = options;
    if (typeof redeliver !== 'boolean') throw new TypeError(`Expected \`redeliver\` to be a boolean, got \`${String(redeliver)}\` (${typeof redeliver}).`);
    // A queue rebuilt in a child has the owner's rule already.
    if (!redeliver && this.#backend instanceof LocalQueue) this.#backend.setRedeliver(false);
    else if (!redeliver && !(this.#backend instanceof QueueProxy)) {
      throw new TypeError('`redeliver: false` is the local backend\'s: a Redis queue always hands the items of a dead consumer to a live one. Drop the option, or pass `backend: \'local\'`.');
    }
  }

  /**
   * Marks one item taken with get() as processed. Throws TaskDoneError if called more times than items were put.
   *
   * @example
   * ```ts
   * const q = new JoinableQueue<string>();
   * await q.put('job');
   * console.log(await q.get());       // 'job'
   * q.taskDone();                     // a second call would throw TaskDoneError
   * ```
   */
  taskDone(): void {
    this.#backend.taskDone();
  }

  /**
   * Settles when every item ever put has been marked done with taskDone(). Python's join() takes no
   * timeout: to wait with a limit, pass `signal: AbortSignal.timeout(ms)`; an aborted join rejects
   * with an `AbortError` (its `cause` the signal's reason) and changes nothing in the queue. (As
   * everywhere in Node, AbortSignal.timeout's timer does not keep the process alive: the children
   * working on the queue do.)
   *
   * @example
   * ```ts
   * export async function worker(q: JoinableQueue<number>): Promise<void> {
   *   for (;;) { console.log(await q.get()); q.taskDone(); }
   * }
   * if (isMainModule(import.meta.url)) {
   *   const q = new JoinableQueue<number>();
   *   new Process({ target: worker, args: [q], daemon: true }).start();
   *   for (let i = 0; i < 10; i++) await q.put(i);
   *   await q.join({ signal: AbortSignal.timeout(10_000) }); // every item was got and marked done
   * }
   * ```
   */
  join(options?: JoinableQueueJoinOptions): Promise<void> {
    // join(1000) must not read as a wait with a limit that then never ends.
    if (arguments.length > 1 || (options !== undefined && (typeof options !== 'object' || options === null))) {
      throw new TypeError(
        `join() takes at most one options object { signal }, got ${[...arguments].map((a: unknown) => `\`${showValue(a)}\``).join(', ')}. Python's JoinableQueue.join() takes no timeout; to wait with a limit, pass a signal: q.join({ signal: AbortSignal.timeout(1000) }).`,
      );
    }
    const signal = options === undefined ? undefined : readSignal(readFields(options, ['signal'], 'join()').signal, 'join()');
    if (signal?.aborted) return Promise.reject(abortError(signal, 'join() was aborted.'));
    return this.backend.join(signal);
  }

  /** A `for await` loop (or toObservable()) is finished with an item it read: it is done. */
  override [ITERATED](): void {
    this.taskDone();
  }

  protected override isJoinable(): boolean {
    return true;
  }

  /** Items put and not yet marked done (creating process only). */
  [UNFINISHED](): number {
    return this.#owner('knows its unfinished count').unfinished();
  }

  /** Items that dead processes had got and not marked done, put back at the head so far (creating process only). */
  [REDELIVERED](): number {
    return this.#owner('counts redelivered items').redelivered();
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
