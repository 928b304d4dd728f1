// Runs inside a producer child: calls the user's target and puts what it produces into the channel
// queue, pulling the next value only after the previous put was accepted (credit), so a generator is
// never run ahead of the queue.
import type { ModuleExportRef } from '../internal/function-locator.js';
import type { Queue } from '../process/queue.js';
import { importTarget } from './import-target.js';

/** The last item a producer child sends: everything before it was produced. */
export const PRODUCER_END = '__rxMultiprocessingProducerEnd';

export async function runProducer(channel: Queue<unknown>, ref: ModuleExportRef, args: unknown[], passQueue: boolean): Promise<void> {
  const target = (await importTarget(ref)) as (...a: unknown[]) => unknown;
  const produced = await target(...(passQueue ? [channel, ...args] : args));
  await forEachValue(produced, (value) => channel.put(value));
  await channel.put({ [PRODUCER_END]: true });
}

// What a target may return: an (async) iterable or generator, an Observable, or one value.
async function forEachValue(produced: unknown, put: (value: unknown) => Promise<void>): Promise<void> {
  if (produced === undefined) return;
  if (typeof produced === 'object' && produced !== null) {
    if (Symbol.asyncIterator in produced) {
      for await (const value of produced as AsyncIterable<unknown>) await put(value);
      return;
    }
    if (Symbol.iterator in produced && !Array.isArray(produced)) {
      for (const value of produced as Iterable<unknown>) await put(value);
      return;
    }
    if (Array.isArray(produced)) {
      for (const value of produced) await put(value);
      return;
    }
    if (typeof (produced as { subscribe?: unknown }).subscribe === 'function') {
      await forEachObservableValue(produced as ObservableLike, put);
      return;
    }
  }
  await put(produced);
}

interface ObservableLike {
  subscribe(observer: { next(v: unknown): void; error(e: unknown): void; complete(): void }): unknown;
}

// An Observable cannot be paused: its values wait in order for credit (documented: no bound here).
function forEachObservableValue(observable: ObservableLike, put: (value: unknown) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    observable.subscribe({
      next: (value) => {
        chain = chain.then(() => put(value));
      },
      error: reject,
      complete: () => void chain.then(resolve, reject),
    });
  });
}
