import { isProtocolMessage } from '../internal/protocol.js';
import type { ConsumerResult } from './consumer-runner.js';
import { sendToParent } from './parent-channel.js';
import { EMPTY } from '../internal/queue-core.js';
import { DEFER_TOOK, TRY_GET } from '../internal/symbols.js';
import type { Queue } from '../process/queue.js';

/** Where a consume() child's items come from, in the order it is to handle them. */
export interface ConsumerInput {
  /** Whether the parent sent the end and every item before it was taken. */
  readonly done: boolean;
  /** The next item, or EMPTY when none is here now. */
  take(): unknown;
  /** Settles when more items (or the end) arrive. */
  arrival(): Promise<void>;
  /** Sends the parent `result`, the outcome of the next `handled` items taken. */
  report(result: ConsumerResult, handled: number): void;
  close(): void;
}

/**
 * The items a consume() child receives over its IPC channel, in order: the parent sends each batch
 * the dispatcher assigns as one message, and `consume-end` once a non-daemon consumer is to finish.
 * It listens from its creation, so it must be created before the child first awaits: the parent
 * sends items once the child reported ready, which it does just before it runs its target.
 */
export class ConsumeInbox implements ConsumerInput {
  #items: unknown[] = [];
  #head = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor() {
    process.on('message', this.#onMessage);
  }

  get done(): boolean {
    return this.#ended && this.#items.length === this.#head;
  }

  take(): unknown {
    if (this.#head === this.#items.length) return EMPTY;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }

  arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  // The parent finishes the items it sent as their outcomes arrive, in order.
  report(result: ConsumerResult): void {
    sendToParent({ rxmp: 'consume-results', result });
  }

  close(): void {
    process.off('message', this.#onMessage);
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message)) return;
    if (message.rxmp === 'consume-jobs') for (const item of message.items) this.#items.push(item);
    else if (message.rxmp === 'consume-end') this.#ended = true;
    else return;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}

/**
 * A direct pipeline's consumer takes its items from the queue the producer children put into (see
 * mergeProducers); the queue's owner, the parent, forwards their batches without decoding them.
 * Items taken stay the owner's until acknowledged (once their outcomes are sent), so those of a
 * consumer that dies go back to the head of the queue, for the others. The end comes over the IPC
 * channel, once every item is done: nothing is left to take then.
 */
export class QueueInput implements ConsumerInput {
  readonly #jobs: Queue<unknown>;
  readonly #acknowledge: (n: number, outcome: ConsumerResult) => void;
  // The item a waiting get() brought.
  #arrived: unknown = EMPTY;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(jobs: Queue<unknown>) {
    this.#jobs = jobs;
    this.#acknowledge = jobs[DEFER_TOOK]();
    process.on('message', this.#onMessage);
  }

  get done(): boolean {
    return this.#ended;
  }

  take(): unknown {
    const arrived = this.#arrived;
    if (arrived === EMPTY) return this.#jobs[TRY_GET]();
    this.#arrived = EMPTY;
    return arrived;
  }

  arrival(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#wake = resolve;
      this.#jobs.get().then(
        (item) => {
          this.#arrived = item;
          resolve();
        },
        // Once ended, the get left waiting fails as this process lets go of the queue: no matter.
        (error: unknown) => (this.#ended ? resolve() : reject(error)),
      );
    });
  }

  // Over the queue's connection, in the message that tells the queue the items were taken: the
  // parent gets an item's outcome exactly when the item can no longer be redelivered. (Over the IPC
  // channel, a consumer killed between the two writes lost an item or reported it twice.)
  report(result: ConsumerResult, handled: number): void {
    this.#acknowledge(handled, result);
  }

  close(): void {
    process.off('message', this.#onMessage);
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message) || message.rxmp !== 'consume-end') return;
    this.#ended = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}
