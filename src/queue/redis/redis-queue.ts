import { QueueClosedError } from '../../errors/queue-closed-error.js';
import { assertCloneable } from '../../internal/serialize.js';
import { createGroup, EntryReader } from './entry-reader.js';
import { EntryWriter, untilAborted } from './entry-writer.js';
import { abortError } from '../../internal/abort.js';
import { EventWatch } from './event-watch.js';
import { Heartbeat } from './heartbeat.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { connectRedis, type RedisLink } from './redis-link.js';
import { resolveOptions, type RedisQueueOptions, type RedisQueueStats, type Settings } from './redis-queue-options.js';
import { parseRedisUrl } from './redis-url.js';
import { BEAT, JOIN } from './scripts.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { EntrySignatureError } from './errors/entry-signature-error.js';
import { handBackOnSignals } from './shutdown-signals.js';

export type { RedisQueueOptions, RedisQueueStats } from './redis-queue-options.js';

/**
 * Opens (creating if needed) the Redis-backed queue `name`: a JoinableQueue whose items live in a
 * Redis stream, shared by every process, on any machine, that opens the same name.
 */
export async function openRedisQueue<T>(options: RedisQueueOptions): Promise<RedisQueue<T>> {
  const settings = resolveOptions(options);
  const keys = queueKeys(settings.name);
  const link = await connectRedis(parseRedisUrl(options.url), { reconnectTimeout: settings.reconnectTimeout, tls: options.tls });
  try {
    await createGroup(link, keys);
    const queue = new RedisQueue<T>(link, keys, settings);
    await queue.beat();
    return queue;
  } catch (error) {
    link.close();
    throw error;
  }
}

/** A queue in Redis, as seen from this process: see openRedisQueue. */
export class RedisQueue<T> {
  /** This process's consumer name in the stream's group. */
  readonly consumer: string;
  readonly name: string;
  readonly maxsize: number;
  readonly stats: RedisQueueStats = { rejected: 0, reclaimed: 0, duplicatesDropped: 0, deadLettered: 0 };
  readonly #link: RedisLink;
  readonly #keys: QueueKeys;
  readonly #settings: Settings;
  readonly #events: EventWatch;
  readonly #writer: EntryWriter<T>;
  readonly #reader: EntryReader<T>;
  readonly #heartbeat: Heartbeat;
  readonly #forgetSignals: () => void;
  // Set when SIGTERM/SIGINT closed the queue: what its pending calls do meanwhile (see #guard).
  #signalled: { readonly signal: NodeJS.Signals; readonly exiting: boolean; readonly closed: Promise<void> } | undefined;
  #closed = false;
  #beats = 0;
  // The connection a pipeline's outcome reads block on, opened by the first.
  #outcomeReader: Promise<RedisLink> | undefined;
  #outcomeReads = 0;

  /** @internal Use openRedisQueue(). */
  constructor(link: RedisLink, keys: QueueKeys, settings: Settings) {
    this.#link = link;
    this.#keys = keys;
    this.#settings = settings;
    this.name = settings.name;
    this.maxsize = settings.maxsize;
    this.consumer = settings.consumer;
    this.#events = new EventWatch(lazy(() => link.duplicate()), keys.ev);
    this.#writer = new EntryWriter<T>(link, keys, settings, this.#events);
    this.#reader = new EntryReader<T>(link, keys, settings, this.stats);
    this.#heartbeat = new Heartbeat(settings.heartbeat, () => this.beat());
    this.#forgetSignals = handBackOnSignals(this, (signal, exiting) => this.closeOnSignal(signal, exiting));
  }

  /**
   * Adds `item`, waiting while the queue is full (at most `timeout` ms: then QueueFullError; until
   * `signal` aborts: then AbortError, the item not added).
   */
  put(item: T, timeout?: number, signal?: AbortSignal): Promise<void> {
    if (this.#signalled) return this.#guard(this.#closedError());
    this.#throwIfClosed();
    assertCloneable(item, 'item');
    return this.#guard(timeout === undefined && signal === undefined ? this.#writer.put(item) : this.#writer.putMany([item], deadlineOf(timeout), signal));
  }

  /** Adds `items` in order as entries of up to `batchItems`, waiting while the queue is full. */
  putMany(items: readonly T[], timeout?: number): Promise<void> {
    if (this.#signalled) return this.#guard(this.#closedError());
    this.#throwIfClosed();
    for (let i = 0; i < items.length; i++) assertCloneable(items[i], `items[${i}]`);
    return this.#guard(this.#writer.putMany(items, deadlineOf(timeout)));
  }

  /** Takes the next item, waiting for one (at most `timeout` ms: then QueueEmptyError; until `signal` aborts: then AbortError, none taken). */
  async get(timeout?: number, signal?: AbortSignal): Promise<T> {
    if (this.#signalled) return this.#guard(this.#closedError());
    this.#throwIfClosed();
    const [item] = await this.#guard(this.#reader.getMany(1, deadlineOf(timeout), signal));
    return item as T;
  }

  /** Up to `max` items this process already holds, without waiting: what getNowait() can answer from. */
  takeNow(max = 1): T[] {
    if (this.#signalled) return [];
    this.#throwIfClosed();
    return this.#reader.takeNow(max);
  }

  /**
   * Takes up to `max` items (at least one, waiting for it): the rest of the entries this process
   * holds, or the next entries of the stream.
   */
  getMany(max = Infinity, timeout?: number): Promise<T[]> {
    if (this.#signalled) return this.#guard(this.#closedError());
    this.#throwIfClosed();
    return this.#guard(this.#reader.getMany(max, deadlineOf(timeout)));
  }

  /**
   * Marks `count` items this process took as done (Python's task_done, `count` times). After
   * SIGTERM/SIGINT closed the queue it does nothing: the items went back, and run again elsewhere.
   */
  taskDone(count = 1): void {
    if (this.#signalled) return;
    this.#throwIfClosed();
    this.#reader.taskDone(count);
  }

  /** Settles once every taskDone() made so far in this process is recorded in Redis. */
  flush(): Promise<void> {
    return this.#guard(this.#reader.flushAcks());
  }

  /**
   * Settles once every item put into the queue, by any process, is done. Not a polling loop: the
   * JOIN script asks the last acknowledgement for a `joined` event, which a blocking read waits for.
   */
  join(signal?: AbortSignal): Promise<void> {
    return this.#guard(this.#join(signal));
  }

  async #join(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      this.#throwIfClosed();
      if (signal?.aborted) throw abortError(signal, 'join() was aborted.');
      await this.#reader.flushAcks();
      const keys = this.#keys;
      const reply = (await this.#link.run(JOIN, [keys.alive, keys.ev, keys.meta], [String(this.#settings.keyTtl)])) as unknown[];
      if (Number(reply[0]) <= 0) return;
      await untilAborted(this.#events.wait(String(reply[1])), signal);
    }
  }

  /** Items put and not yet done, across every process (the join counter). */
  async unfinished(): Promise<number> {
    return Number(String((await this.#link.call(['GET', this.#keys.alive])) ?? '0'));
  }

  /**
   * Takes over consumer `dead`'s pending entries now: what a parent does when it sees its consumer
   * child exit, instead of waiting for the heartbeat deadline. Returns how many entries it took.
   */
  reclaimFrom(dead: string): Promise<number> {
    this.#throwIfClosed();
    return this.#reader.reclaimFrom(dead, 0);
  }

  /**
   * Hands consumer `dead`'s pending entries back to the stream now, for any consumer, each keeping
   * its count of deliveries: what a parent does when it sees a child that read this queue exit.
   * Returns how many entries went back.
   */
  releaseConsumer(dead: string): Promise<number> {
    this.#throwIfClosed();
    return this.#reader.release(dead);
  }

  /** Puts from now on make entries of at most `n` items (a pipeline sizes them by how long items take). */
  limitEntries(n: number): void {
    this.#writer.limitEntries(n);
  }

  /**
   * Appends `values` as one entry of the queue's outcome stream, signed as items are: a pipeline's
   * consumers report there, and one process reads it (readOutcomes). A plain XADD, no group, no
   * count: the pipeline that reads it keeps the books.
   */
  async appendOutcomes(values: readonly unknown[]): Promise<void> {
    this.#throwIfClosed();
    const { keys, settings } = { keys: this.#keys, settings: this.#settings };
    const e = encodeEntry(values, settings.authkey);
    const add = this.#link.call(e.h === '' ? ['XADD', keys.out, '*', 'n', String(e.n), 'v', e.v, 'd', e.d] : ['XADD', keys.out, '*', 'n', String(e.n), 'v', e.v, 'h', e.h, 'd', e.d]);
    // Its own TTL at once: written after the run ended (a remote consumer not told yet), it must not stay.
    await Promise.all([add, this.#link.call(['PEXPIRE', keys.out, String(settings.keyTtl)])]);
  }

  /**
   * The outcome stream's entries after `cursor` ('0' at first), waiting up to `block` ms for one,
   * with the cursor to read on from; entries read before are trimmed. Unsigned or wrongly signed
   * entries are skipped (counted in stats.rejected, told to onRejected).
   */
  async readOutcomes(cursor: string, block: number): Promise<{ cursor: string; values: unknown[] }> {
    this.#throwIfClosed();
    this.#outcomeReader ??= this.#link.duplicate();
    const reader = await this.#outcomeReader;
    const key = this.#keys.out;
    // Trimmed behind the cursor every few reads, not each: every command is a round trip.
    if (cursor !== '0' && ++this.#outcomeReads % TRIM_EVERY_READS === 0) await reader.call(['XTRIM', key, 'MINID', cursor]);
    const reply = (await reader.call(['XREAD', 'COUNT', String(OUTCOME_ENTRIES_PER_READ), 'BLOCK', String(block), 'STREAMS', key, cursor])) as [unknown, [unknown, unknown[]][]][] | null;
    const values: unknown[] = [];
    for (const [id, fields] of reply?.[0]?.[1] ?? []) {
      cursor = String(id);
      const decoded = decodeEntry<unknown>(fields, this.#settings.authkey);
      if (decoded.ok) values.push(...decoded.items);
      else {
        this.stats.rejected++;
        if (decoded.reason !== 'malformed') this.#settings.onRejected?.(new EntrySignatureError(this.name, cursor, decoded.reason));
      }
    }
    return { cursor, values };
  }

  /** Where the queue is, without secrets: what may travel to another process or machine. */
  describe(): { readonly url: string; readonly name: string } {
    return { url: this.#link.address.public, name: this.name };
  }

  /** @internal One heartbeat: liveness, key TTLs, and a reclaim of consumers found dead. */
  async beat(): Promise<void> {
    const { keys, settings } = { keys: this.#keys, settings: this.#settings };
    const others = keys.all.filter((k) => k !== keys.nodes);
    const dead = (await this.#link.run(BEAT, [keys.nodes, ...others], [String(settings.keyTtl), this.consumer, String(settings.deadAfter)])) as unknown[];
    if (!this.#reader.consuming) return;
    for (const name of dead.map(String)) if (name !== this.consumer) await this.#reader.reclaimFrom(name, settings.deadAfter);
    // The net catches what the heartbeat cannot see; a pass every AUTOCLAIM_EVERY beats is plenty at
    // a minimum idle of minutes.
    if (++this.#beats % AUTOCLAIM_EVERY === 0) await this.#reader.autoclaim(settings.autoclaimIdle);
  }

  /**
   * @internal What SIGTERM/SIGINT do (shutdown-signals.ts): close(), after `before` (puts accepted
   * and not yet confirmed). Meanwhile the calls pending here do not fail: when the process is
   * `exiting` by the signal they never settle (no error path of the program runs while it ends);
   * otherwise they reject once the items are back, with a QueueClosedError naming the signal.
   */
  closeOnSignal(signal: NodeJS.Signals, exiting: boolean, before: Promise<unknown> = Promise.resolve()): Promise<void> {
    if (this.#signalled) return this.#signalled.closed;
    const closed = (async () => {
      await before;
      await this.close();
    })();
    this.#signalled = { signal, exiting, closed };
    return closed;
  }

  /**
   * Stops this process's use of the queue: acknowledges what was done and hands every item it holds
   * and did not finish back to the stream at once (other consumers take them now, not after
   * `deadAfter`), then stops its heartbeat and closes its connections. The queue stays in Redis
   * (see destroy()).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#forgetSignals();
    this.#heartbeat.stop();
    this.#events.close();
    // The reader stops first: a read still in flight could otherwise deliver entries after the hand-back.
    await this.#reader.stop();
    try {
      await this.#reader.flushAcks();
      await this.#reader.handBack();
      // What is still pending under this name was delivered by the read the stop abandoned (its
      // reply never read here): handed back too, and then this consumer leaves the group.
      await this.#reader.release(this.consumer);
    } catch {
      // Redis is gone, or the keys were destroyed: what this process held is the reaper's, or nobody's.
    } finally {
      this.#link.close();
      void this.#outcomeReader?.then((reader) => reader.close(), () => {});
    }
  }

  /** Deletes the queue's keys from Redis (every process's view of it ends), then closes. */
  async destroy(): Promise<void> {
    this.#throwIfClosed();
    await this.#link.call(['UNLINK', ...this.#keys.all]);
    this.#reader.forget();
    await this.close();
  }

  // `work`, except that a failure caused by a signal's close waits for that close, then never
  // settles (the process is ending by the signal) or names the signal.
  #guard<V>(work: Promise<V>): Promise<V> {
    return work.catch(async (error: unknown) => {
      const signalled = this.#signalled;
      if (!signalled) throw error;
      await signalled.closed.catch(() => {});
      if (signalled.exiting) return new Promise<never>(() => {});
      throw new QueueClosedError(
        `Redis queue '${this.name}' was closed in this process by ${signalled.signal}: the items it held and had not finished went back to the queue, for any consumer. Open it again to go on.`,
        { cause: error },
      );
    });
  }

  #closedError(): Promise<never> {
    return Promise.reject(new QueueClosedError(`Redis queue '${this.name}' was closed in this process.`));
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new QueueClosedError(`Redis queue '${this.name}' was closed in this process: open it again with openRedisQueue().`);
  }
}

const AUTOCLAIM_EVERY = 10;
// Outcome entries one read takes at most: each holds one consumer's report of up to 512 values.
const OUTCOME_ENTRIES_PER_READ = 64;
const TRIM_EVERY_READS = 8;

// Python's timeouts: undefined waits forever, a negative one is 0.
function deadlineOf(timeout: number | undefined): number {
  return timeout === undefined ? Infinity : Date.now() + Math.max(0, timeout);
}

// A promise that starts its work only when first awaited (a connection no waiter needs is not
// opened), and starts it again after a failure (a connection refused once may be accepted later).
function lazy<V>(start: () => Promise<V>): PromiseLike<V> {
  let started: Promise<V> | undefined;
  const get = () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };
  return { then: (onFulfilled, onRejected) => get().then(onFulfilled, onRejected) };
}
