import { ParentEnd } from './parent-end.js';
import { EMPTY } from '../queue/local/queue-core.js';
import { DEFER_TOOK, TRY_GET } from '../internal/symbols.js';
import type { Queue } from '../process/queue.js';
import type { ConsumerInput, ConsumerResult } from './consumer-input.js';

/**
 * A direct pipeline's consumer takes its items from the queue the producer children put into (see
 * mergeProducers); the queue's owner, the parent, forwards their batches without decoding them.
 * Items taken stay the owner's until acknowledged (once their outcomes are sent), so those of a
 * consumer that dies go back to the head of the queue, for the others. The end comes over the IPC
 * channel, once every item is done: nothing is left to take then.
 */
export class QueueInput implements ConsumerInput {
  readonly #jobs: Queue<unknown>;
  readonly #acknowledge: (n: number, outcome: ConsumerResult, now: boolean) => void;
  readonly #end = new ParentEnd();
  // The item a waiting get() brought.
  #arrived: unknown = EMPTY;

  constructor(jobs: Queue<unknown>) {
    this.#jobs = jobs;
    this.#acknowledge = jobs[DEFER_TOOK]();
  }

  get done(): boolean {
    return this.#end.ended;
  }

  take(): unknown {
    const arrived = this.#arrived;
    if (arrived === EMPTY) return this.#jobs[TRY_GET]();
    this.#arrived = EMPTY;
    return arrived;
  }

  arrival(): Promise<void> {
    return this.#end.next(
      () => this.#jobs.get(),
      (item) => (this.#arrived = item),
    );
  }

  // Over the queue's connection, in the message that tells the queue the items were taken: the
  // parent gets an item's outcome exactly when the item can no longer be redelivered. (Over the IPC
  // channel, a consumer killed between the two writes lost an item or reported it twice.)
  report(result: ConsumerResult, handled: number, now: boolean): void {
    this.#acknowledge(handled, result, now);
  }

  close(): void {
    this.#end.close();
  }
}
