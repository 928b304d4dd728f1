// Runs inside a consumer child: takes items from its own queue, runs the user's handler on each, and
// sends the outcomes (value or error) back to the parent, in the order the items came.
import type { ModuleExportRef } from '../internal/function-locator.js';
import { toRemoteError, type RemoteError } from '../internal/protocol.js';
import type { Queue } from '../process/queue.js';
import { importTarget } from './import-target.js';

/** Sent after a non-daemon consumer's last item: it returns, and its process exits. */
export const CONSUMER_END = { __rxMultiprocessingConsumerEnd: true } as const;

/**
 * A consumer's outcome for its next item. Items reach a consumer bare and are handled in the order
 * they came, so the parent, which knows that order, tells which item a result is for: a job wrapper
 * ({ seq, item }) per item would be one more object to create, encode, decode and collect. `seq` is
 * set only on values a manual consumer yields (-1, tied to no item).
 */
export type ConsumerResult =
  | { readonly worker: number; readonly seq?: -1; readonly ok: true; readonly value: unknown }
  | { readonly worker: number; readonly ok: false; readonly error: RemoteError };

function isEnd(item: unknown): boolean {
  return typeof item === 'object' && item !== null && (item as Record<string, unknown>).__rxMultiprocessingConsumerEnd === true;
}

export async function runConsumer(
  jobs: Queue<unknown>,
  results: Queue<ConsumerResult>,
  ref: ModuleExportRef,
  args: unknown[],
  worker: number,
): Promise<void> {
  const handler = (await importTarget(ref)) as (item: unknown, ...rest: unknown[]) => unknown;
  for (;;) {
    const item = await jobs.get();
    if (isEnd(item)) return;
    let result: ConsumerResult;
    try {
      result = { worker, ok: true, value: await handler(item, ...args) };
      await results.put(result);
    } catch (error) {
      await results.put({ worker, ok: false, error: toRemoteError(error) });
    }
  }
}

/**
 * The seed's consumer style: the user's target gets the consumer's JoinableQueue and loops on get()
 * and taskDone() itself. Values it yields (an async generator) are emitted; each is accepted into
 * the results queue before the generator resumes, so it always reaches the parent before the
 * taskDone that follows it (the results queue's connection is flushed first).
 */
export async function runLoopConsumer(results: Queue<ConsumerResult>, jobs: Queue<unknown>, ref: ModuleExportRef, args: unknown[], worker: number): Promise<void> {
  const target = (await importTarget(ref)) as (q: unknown, ...rest: unknown[]) => unknown;
  const produced = await target(jobs, ...args);
  if (produced && typeof produced === 'object' && Symbol.asyncIterator in produced) {
    for await (const value of produced as AsyncIterable<unknown>) await results.put({ worker, seq: -1, ok: true, value });
  }
}
