import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A consumer's handler threw (or rejected) on an item. The child's stack is kept in the message and
 * in `remoteStack`; `seq` is the item's position in the source, or -1 when the items went from
 * producer to consumer children without passing through this process (see mergeProducers).
 *
 * @example
 * source$.pipe(consume(work)).subscribe({ error: (e) => e instanceof TaskError && console.log(e.remoteStack) });
 */
export class TaskError extends MultiprocessingError {
  readonly processName: string;
  readonly seq: number;
  readonly remoteName: string;
  readonly remoteStack: string | undefined;

  constructor(details: { processName: string; seq: number; name: string; message: string; stack: string | undefined }) {
    super(
      `The handler failed on ${details.seq < 0 ? 'an item' : `item #${details.seq}`} in ${details.processName}: ${details.name}: ${details.message}\n` +
        `--- stack in ${details.processName} ---\n${details.stack ?? '(none)'}\n` +
        "Catch the error inside the handler to skip such items, or pass `onError: 'skip'` to consume().",
    );
    this.processName = details.processName;
    this.seq = details.seq;
    this.remoteName = details.name;
    this.remoteStack = details.stack;
  }
}
