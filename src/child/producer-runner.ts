// Runs inside a producer child: calls the user's target and puts what it produces into the channel
// queue, pulling the next value only after the previous put was accepted (credit), so a generator is
// never run ahead of the queue.
import type { ModuleExportRef } from '../internal/function-locator.js';
import type { Queue } from '../process/queue.js';
import { FLUSH_PUTS, OUTCOME_STREAM, TRY_PUT } from '../internal/symbols.js';
import type { JoinableQueue } from '../process/joinable-queue.js';
import { importTarget } from './import-target.js';
import { InboxRouter } from './inbox-router.js';

/** The last item a producer child sends: everything before it was produced. */
export const PRODUCER_END = '__rxMultiprocessingProducerEnd';

export async function runProducer(channel: Queue<unknown>, ref: ModuleExportRef, args: unknown[], passQueue: boolean): Promise<void> {
  await produceInto(channel, ref, args, passQueue);
  await channel.put({ [PRODUCER_END]: true });
}

/**
 * A direct pipeline's producer (see mergeProducers): puts into the queue its consumers take from,
 * then tells the parent it is done by putting its index into `ends`. Both queues are the parent's,
 * reached over one connection; the items are written out first, so they arrive before the end.
 */
export async function runDirectProducer(jobs: Queue<unknown>, ends: Queue<number>, index: number, ref: ModuleExportRef, args: unknown[], passQueue: boolean): Promise<void> {
  await produceInto(jobs, ref, args, passQueue);
  await jobs[FLUSH_PUTS]();
  await ends.put(index);
}

/**
 * A broker-free pipeline's producer (see brokerFreeConsume): writes its batches straight to the
 * consumers' inboxes, and returns once the parent has released every batch (has all their outcomes).
 */
export async function runBrokerFreeProducer(index: number, batchSize: number, maxKept: number, ref: ModuleExportRef, args: unknown[]): Promise<void> {
  const router = new InboxRouter(index, batchSize, maxKept); // before the first await: the routes may come early
  try {
    await produceInto(router, ref, args, false);
  } catch (error) {
    // Its connections would keep this process from exiting with the error.
    router.abandon();
    throw error;
  }
  await router.finish();
}

/**
 * A Redis pipeline's producer (mergeProducers into queue({ backend: redis(…) })): puts its values,
 * numbered `index`, `index + count`, `index + 2 count`, … so that no two producers share a number, straight
 * into the pipeline's queue in Redis (waiting while it is full), then says how many it put on the
 * queue's outcome stream, after the last is in Redis.
 */
export async function runRedisProducer(items: JoinableQueue<readonly [number, unknown]>, index: number, count: number, ref: ModuleExportRef, args: unknown[], passQueue: boolean): Promise<void> {
  let k = 0;
  const numbered: ProducerChannel = {
    put: (value) => items.put([index + count * k++, value]),
    [TRY_PUT]: (value) => {
      if (!items[TRY_PUT]([index + count * k, value])) return false;
      k++;
      return true;
    },
  };
  await produceInto(numbered, ref, args, passQueue);
  await items[FLUSH_PUTS]();
  await items[OUTCOME_STREAM]()?.append([{ producer: index, produced: k }]);
}

/** Where a producer's values go: a queue, or a broker-free pipeline's router. */
interface ProducerChannel {
  put(value: unknown): Promise<void>;
  [TRY_PUT](value: unknown): boolean;
}

async function produceInto(channel: ProducerChannel, ref: ModuleExportRef, args: unknown[], passQueue: boolean): Promise<void> {
  const target = (await importTarget(ref)) as (...a: unknown[]) => unknown;
  const produced = await target(...(passQueue ? [channel, ...args] : args));
  await putEachValue(produced, channel);
}

// What a target may return: an (async) iterable or generator, an Observable, or one value. The loops
// call channel.put directly, not through a callback: they run for every value, and unoptimised for a
// fresh producer's first few thousand, where each call costs (see Queue).
async function putEachValue(produced: unknown, channel: ProducerChannel): Promise<void> {
  if (produced === undefined) return;
  if (typeof produced === 'object' && produced !== null) {
    if (Symbol.asyncIterator in produced) {
      for await (const value of produced as AsyncIterable<unknown>) if (!channel[TRY_PUT](value)) await channel.put(value);
      return;
    }
    if (Symbol.iterator in produced) {
      const iterator = (produced as Iterable<unknown>)[Symbol.iterator]();
      for (let value = putWhileCredit(iterator, channel); value !== DONE; value = putWhileCredit(iterator, channel)) {
        try {
          await channel.put(value);
        } catch (error) {
          closeAfterError(iterator);
          throw error;
        }
      }
      return;
    }
    if (typeof (produced as { subscribe?: unknown }).subscribe === 'function') {
      await putEachObservableValue(produced as ObservableLike, channel);
      return;
    }
  }
  await channel.put(produced);
}

/**
 * Puts the iterator's values while credit lasts, without an await: the event loop would not turn
 * between them anyway (only microtasks run between awaits of settled promises), so nothing is sent
 * or received later than before, and no microtask or its garbage is spent per value. Returns the
 * first value that did not fit, for the caller to wait for credit with, or DONE. A plain loop, not
 * the async caller's: a fresh producer has V8 optimise it for its first few thousand values, and an
 * async function's loop cost about twice as long to compile.
 */
function putWhileCredit(iterator: Iterator<unknown>, channel: ProducerChannel): unknown {
  for (;;) {
    // A generator that throws is closed already: its error goes up as from a for...of.
    const result = iterator.next();
    if (result.done === true) return DONE;
    let accepted: boolean;
    try {
      accepted = channel[TRY_PUT](result.value);
    } catch (error) {
      closeAfterError(iterator);
      throw error;
    }
    if (!accepted) return result.value;
  }
}

// As a for...of left by an error: the generator's finally blocks run, and the first error wins.
function closeAfterError(iterator: Iterator<unknown>): void {
  try {
    iterator.return?.();
  } catch {
    // The error that left the loop is the one reported.
  }
}

const DONE = Symbol('done');

interface ObservableLike {
  subscribe(observer: { next(v: unknown): void; error(e: unknown): void; complete(): void }): unknown;
}

// An Observable cannot be paused: its values wait in order for credit (documented: no bound here).
function putEachObservableValue(observable: ObservableLike, channel: ProducerChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    observable.subscribe({
      next: (value) => {
        chain = chain.then(() => channel.put(value));
      },
      error: reject,
      complete: () => void chain.then(resolve, reject),
    });
  });
}
