import type { Observable } from 'rxjs';
import { createObservable } from '../operators/rx.js';

/** What a loop reading a Queue handle needs of it. */
export interface QueueReadSource<T> {
  get(signal: AbortSignal): Promise<T>;
  isClosed(): boolean;
  /** The loop is finished with an item it read (a JoinableQueue marks it done). */
  finished(): void;
  /** The handle's loops: closing the handle aborts each one's pending get. */
  readonly loops: Set<AbortController>;
}

/**
 * Queue.values()'s loop: one get per step, asked for only when the consumer asks for the next item
 * (so leaving the loop takes nothing more), with a signal that closing the handle aborts too.
 */
export async function* readQueue<T>(source: QueueReadSource<T>, signal: AbortSignal | undefined, hasSentinel: boolean, sentinel: unknown): AsyncGenerator<T, void, undefined> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  source.loops.add(stop);
  let holding = false;
  try {
    for (;;) {
      if (source.isClosed()) return;
      let item: T;
      try {
        item = await source.get(stop.signal);
      } catch (error) {
        // The handle was closed during the wait: the loop ends, having taken nothing.
        if (source.isClosed() && !signal?.aborted) return;
        throw error;
      }
      holding = true;
      if (hasSentinel && Object.is(item, sentinel)) return;
      yield item;
      holding = false;
      source.finished();
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    source.loops.delete(stop);
    if (holding) source.finished();
  }
}

/**
 * Queue.toObservable(): each subscription runs one reading loop, emitting its items; unsubscribing
 * aborts the loop's pending get, so no item is taken after it.
 */
export function observeQueue<T>(read: (signal: AbortSignal) => AsyncGenerator<T, void, undefined>): Observable<T> {
  return createObservable<T>((subscriber) => {
    const stop = new AbortController();
    void (async () => {
      try {
        for await (const item of read(stop.signal)) {
          subscriber.next(item);
          // Unsubscribed from within next (take(n)): leave before asking for another item.
          if (subscriber.closed) break;
        }
        subscriber.complete();
      } catch (error) {
        if (!stop.signal.aborted) subscriber.error(error);
      }
    })();
    return () => stop.abort();
  });
}
