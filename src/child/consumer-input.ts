import type { ModuleExportRef } from '../internal/function-locator.js';
import type { ItemSpan, RemoteError } from '../internal/protocol.js';

/** consume()'s initializer, as its consumers get it: where to import it from, and its arguments. */
export interface ConsumerInit {
  readonly ref: ModuleExportRef;
  readonly args: readonly unknown[];
}

/**
 * What a consumer sends the parent. Items reach a consumer bare and are handled in the order they
 * came, so the parent, which knows that order, tells which items outcomes are for: `values` are the
 * results of the consumer's next items, and `error`, if set, is the outcome of the item after them.
 * One message carries the outcomes of every item handled without a pause (a job wrapper or a message
 * per item would be that many more objects to create, encode, decode and collect). `yielded` is a
 * value a manual consumer yielded, tied to no item. `busyMs` is how long those items kept the
 * consumer busy, from the start of the first to the send (whole milliseconds): the parent sizes the
 * consumer's prefetch window by it. `spans` say which items they were on the broker-free path, where
 * items reach a consumer from several producers and may come twice (see InboxInput).
 */
export type ConsumerResult =
  | { readonly worker: number; readonly values: readonly unknown[]; readonly error?: RemoteError; readonly busyMs: number; readonly spans?: readonly ItemSpan[] }
  | { readonly worker: number; readonly yielded: unknown };

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
  /** Stops listening: the consumer has finished. */
  close(): void;
}

/**
 * What a consumer of a Redis pipeline puts into the pipeline's outcome queue: `result` holds the
 * outcomes of the items numbered `seqs`, in that order (see ConsumerResult), or `poison` says that
 * the one item of `seqs` went to the dead-letter stream. `by` names the consumer, on any machine.
 * On the direct path a producer child says how many items it put (`produced`), after the last.
 */
export type PipelineOutcome =
  | { readonly by: string; readonly seqs: readonly number[]; readonly result: ConsumerResult }
  | { readonly by: string; readonly seqs: readonly number[]; readonly poison: { readonly itemId: string; readonly deliveries: number } }
  | { readonly producer: number; readonly produced: number };

/** An item as a Redis pipeline's queue holds it: its number in the pipeline, and the item. */
export type NumberedItem = readonly [seq: number, item: unknown];
