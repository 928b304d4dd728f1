import { QueueFullError } from '../../errors/queue-full-error.js';
import { abortError } from '../../internal/abort.js';
import { encodeEntries, type EncodedEntry } from './entry-codec.js';
import type { EventWatch } from './event-watch.js';
import type { QueueKeys } from './keys.js';
import type { RedisArg, RedisLink } from './redis-link.js';
import type { Settings } from './redis-queue-options.js';
import { PUT } from './scripts.js';

/**
 * The put side of a Redis queue in one process: items become entries (one per event-loop turn of
 * puts, or per `batchItems` of a putMany), added by the PUT script in call order; while the queue is
 * full, the rest waits for a `space` event — a blocking read, not a polling loop.
 */
export class EntryWriter<T> {
  readonly #link: RedisLink;
  readonly #keys: QueueKeys;
  readonly #settings: Settings;
  readonly #events: EventWatch;
  #chain: Promise<unknown> = Promise.resolve();
  #seq = 0;
  #coalesced: { items: T[]; done: Promise<void> } | undefined;
  // Items per entry, when its user sizes entries by how long their items take (a pipeline).
  #entryLimit = Infinity;

  constructor(link: RedisLink, keys: QueueKeys, settings: Settings, events: EventWatch) {
    this.#link = link;
    this.#keys = keys;
    this.#settings = settings;
    this.#events = events;
  }

  /**
   * Adds one item. Puts travel together: those of one event-loop turn, and those made while the
   * previous script call is out (up to ENTRIES_PER_CALL entries), in one call. Each call is a round
   * trip and a write whose loopback TCP costs both ends tens of microseconds: a call per turn made
   * entries of ~60 items and twice the calls.
   */
  put(item: T): Promise<void> {
    if (this.#coalesced && this.#coalesced.items.length < this.#entryItems() * ENTRIES_PER_CALL) {
      this.#coalesced.items.push(item);
      return this.#coalesced.done;
    }
    const items = [item];
    const batch = {
      items,
      done: new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.#chain)
        .then(() => {
          if (this.#coalesced === batch) this.#coalesced = undefined;
          return this.putMany(items, Infinity);
        }),
    };
    this.#coalesced = batch;
    return batch.done;
  }

  /**
   * Adds `items` in order, waiting while the queue is full until `deadline` (ms since epoch) or until
   * `signal` aborts (then AbortError: what did not fit yet is not added).
   */
  putMany(items: readonly T[], deadline: number, signal?: AbortSignal): Promise<void> {
    const entries = encodeEntries(items, this.#entryItems(), this.#settings.authkey);
    // One script call at a time, in call order: the sequence numbers that make a resend harmless
    // must reach Redis in order.
    const result = this.#chain.then(() => this.#add(entries, deadline, signal));
    this.#chain = result.catch(() => {});
    return result;
  }

  /** At most `n` items per entry from now on (at least 1; never more than batchItems). */
  limitEntries(n: number): void {
    this.#entryLimit = Math.max(1, Math.floor(n));
  }

  // An entry never holds more than maxsize items: it could never fit.
  #entryItems(): number {
    const { maxsize, batchItems } = this.#settings;
    const most = Math.min(batchItems, this.#entryLimit);
    return maxsize > 0 ? Math.min(most, maxsize) : most;
  }

  async #add(entries: EncodedEntry[], deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const keys = this.#keys;
    let rest = entries;
    while (rest.length > 0) {
      if (signal?.aborted) throw abortError(signal, 'put() was aborted.');
      const call = rest.slice(0, ENTRIES_PER_CALL);
      const firstSeq = this.#seq;
      this.#seq += call.length;
      const args: RedisArg[] = [String(this.#settings.keyTtl), String(this.#settings.maxsize), this.#settings.consumer, String(firstSeq), String(call.length)];
      for (const e of call) args.push(String(e.n), e.v, e.h, e.d);
      const reply = (await this.#link.run(PUT, [keys.q, keys.alive, keys.ev, keys.meta, keys.pseq], args)) as unknown[];
      const added = Number(reply[0]);
      rest = rest.slice(added);
      if (added < call.length) {
        // The sequence numbers of what did not fit are used again by the retry.
        this.#seq = firstSeq + added;
        if (Date.now() >= deadline) throw new QueueFullError(this.#settings.maxsize);
        await untilAborted(this.#events.wait(String(reply[1]), deadline), signal);
      }
    }
  }
}

// Entries per PUT call: bounds how long one script holds Redis (16 x 100 items, or 16 x 256 KiB).
const ENTRIES_PER_CALL = 16;

// `wait`, or less when `signal` aborts first: the caller then checks the signal (the wait itself ends by MAX_BLOCK_MS).
export function untilAborted(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void wait.then(done);
  });
}
