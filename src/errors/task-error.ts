import { MultiprocessingError } from './multiprocessing-error.js';
import { toCauseError, type RemoteErrorFields } from './remote-cause.js';

/**
 * A function run in another process or thread threw (or rejected): a consumer's handler on an item,
 * or a Pool task. The remote error's name, message and stack are kept in `cause` (an Error carrying
 * them), in `remoteName` / `remoteStack`, and in the message. `seq` is the item's position in the
 * source (-1 when the items went from producer to consumer children without passing through this
 * process, see mergeProducers), or the call's index in a Pool's map() or starmap() (0 for apply()).
 *
 * @example
 * ```ts
 * export function parse(text: string): unknown { return JSON.parse(text); }
 * if (isMainModule(import.meta.url)) {
 *   await using pool = new Pool({ processes: 1 });
 *   await pool.apply(parse, ['{oops']).catch((e) => {
 *     if (e instanceof TaskError) console.log(e.remoteName, e.remoteStack); // SyntaxError, its stack in the worker
 *   });
 * }
 * ```
 */
export class TaskError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_TASK_FAILED' as const;
  /** The process (or thread) the function failed in: `Process-3`, a consumer's name. */
  readonly processName: string;
  /** The item's position in the source, or the call's index in map()/starmap() (0 for apply(); -1 on the direct paths). */
  readonly seq: number;
  /** The remote error's `name` (`TypeError`, …). */
  readonly remoteName: string;
  /** The remote error's stack, as printed in the process it was thrown in. */
  readonly remoteStack: string | undefined;

  constructor(details: {
    processName: string;
    seq: number;
    name: string;
    message: string;
    stack: string | undefined;
    /** The remote error's own cause, when it had one. */
    cause?: RemoteErrorFields | undefined;
    /** What failed, for a Pool task (`square` on item #3 of map()); a consumer's handler otherwise. */
    task?: string;
  }) {
    const what = details.task ?? `The handler failed on ${details.seq < 0 ? 'an item' : `item #${details.seq}`}`;
    const fix = details.task
      ? 'Catch the error inside the function to return something else instead.'
      : "Catch the error inside the handler to skip such items, or pass `onError: 'skip'` to consume().";
    super(
      `${what} in ${details.processName}: ${details.name}: ${details.message}\n` + `--- stack in ${details.processName} ---\n${details.stack ?? '(none)'}\n` + fix,
      { cause: toCauseError(details) },
    );
    this.processName = details.processName;
    this.seq = details.seq;
    this.remoteName = details.name;
    this.remoteStack = details.stack;
  }
}
