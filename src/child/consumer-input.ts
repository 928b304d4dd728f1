import type { ConsumerResult } from './consumer-runner.js';

/** Where a consume() child's items come from, in the order it is to handle them. */
export interface ConsumerInput {
  /** Whether the parent sent the end and every item before it was taken. */
  readonly done: boolean;
  /** The next item, or EMPTY when none is here now. */
  take(): unknown;
  /** Settles when more items (or the end) arrive. */
  arrival(): Promise<void>;
  /**
   * Sends the parent `result`, the outcome of the next `handled` items taken: written `now`, or
   * with whatever else this event-loop turn sends.
   */
  report(result: ConsumerResult, handled: number, now: boolean): void;
  close(): void;
}
