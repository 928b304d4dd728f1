import { QueueEmptyError } from '../../errors/queue-empty-error.js';
import { abortError } from '../../internal/abort.js';
import { carriedDeliveries, claimedCount, decodeEntry, encodeEntry } from './entry-codec.js';
import { EntrySignatureError } from './errors/entry-signature-error.js';
import { PoisonItemError } from './errors/poison-item-error.js';
import { GROUP, type QueueKeys } from './keys.js';
import type { RedisArg, RedisLink } from './redis-link.js';
import type { RedisQueueStats, Settings } from './redis-queue-options.js';
import { ACK, DEAD, FORGET, RELEASE, REQUEUE } from './scripts.js';
import { TakenEntries, type AckMark, type HeldEntry } from './taken-entries.js';

/**
 * The get side of a Redis queue in one process: reads entries for this consumer (XREADGROUP on a
 * connection of its own, as it blocks), hands their items out, acknowledges done items once per
 * event-loop turn (ACK), takes over dead consumers' entries, and hands unfinished ones back.
 */
export class EntryReader<T> {
  readonly #link: RedisLink;
  readonly #keys: QueueKeys;
  readonly #settings: Settings;
  readonly #stats: RedisQueueStats;
  readonly #taken = new TakenEntries<T>();
  // Opened on the first read: a blocking XREADGROUP would stall every other command on #link.
  #reader: Promise<RedisLink> | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #acking: Promise<void> = Promise.resolve();
  #ackScheduled = false;
  #consuming = false;

  constructor(link: RedisLink, keys: QueueKeys, settings: Settings, stats: RedisQueueStats) {
    this.#link = link;
    this.#keys = keys;
    this.#settings = settings;
    this.#stats = stats;
  }

  /** True once this process has read: only a consumer takes over dead consumers' entries. */
  get consuming(): boolean {
    return this.#consuming;
  }

  /**
   * Up to `max` items, at least one, waiting until `deadline` (then QueueEmptyError) or until `signal`
   * aborts (then AbortError, no item taken: what a read brought stays held here for the next get).
   */
  getMany(max: number, deadline: number, signal?: AbortSignal): Promise<T[]> {
    // One reader at a time: concurrent gets are served in call order.
    const result = this.#chain.then(() => this.#takeOrRead(max, deadline, signal));
    this.#chain = result.catch(() => {});
    return result;
  }

  taskDone(count: number): void {
    this.#taken.done(count);
    this.#scheduleAck();
  }

  /**
   * Settles when every taskDone so far is acknowledged in Redis; rejects if Redis refused (OOM,
   * NOPERM): those acknowledgements are then owed again, and the next flush (a later taskDone, or
   * join) sends them, so none is lost while Redis recovers.
   */
  flushAcks(): Promise<void> {
    const marks = this.#taken.drainMarks();
    if (marks.length === 0) return this.#acking;
    const sent = this.#acking.then(() => this.#ack(marks)).then(
      () => this.#taken.sent(marks),
      (error: unknown) => {
        this.#taken.unsent(marks);
        throw error;
      },
    );
    this.#acking = sent.catch(() => {});
    return sent;
  }

  /** Takes over consumer `dead`'s pending entries (min-idle `minIdle` ms); returns how many. */
  async reclaimFrom(dead: string, minIdle: number): Promise<number> {
    const keys = this.#keys;
    let total = 0;
    for (;;) {
      const pending = (await this.#link.call(['XPENDING', keys.q, GROUP, '-', '+', String(RECLAIM_PAGE), dead])) as unknown[][];
      if (pending.length === 0) {
        await this.removeConsumer(dead);
        return total;
      }
      const ids = pending.map((p) => String(p[0]));
      // min-idle makes two reapers safe: the first claim resets the idle time, the second gets nothing.
      const claimed = (await this.#link.call(['XCLAIM', keys.q, GROUP, this.#settings.consumer, String(minIdle), ...ids])) as (unknown[] | null)[];
      // XCLAIM counts one more delivery than XPENDING said.
      const deliveries = new Map(pending.map((p) => [String(p[0]), Number(p[3]) + 1]));
      const entries = await this.#held(claimed.filter((e): e is unknown[] => Array.isArray(e)), deliveries);
      this.#taken.add(entries, true);
      total += entries.length;
      this.#stats.reclaimed += entries.length;
      if (claimed.length === 0 || pending.length < RECLAIM_PAGE) return total;
    }
  }

  /**
   * Hands consumer `dead`'s pending entries back to the stream now (RELEASE), for any consumer to read,
   * their deliveries carried; removes `dead` once it holds nothing. Returns how many entries went back.
   */
  async release(dead: string): Promise<number> {
    const keys = this.#keys;
    let total = 0;
    for (;;) {
      const [back, seen] = (await this.#link.run(RELEASE, [keys.q, keys.hw, keys.nodes], [String(this.#settings.keyTtl), dead, String(RECLAIM_PAGE)])) as [unknown, unknown];
      total += Number(back);
      if (Number(seen) < RECLAIM_PAGE) return total;
    }
  }

  /** Removes `consumer` from the queue's group and heartbeat set if it holds nothing (FORGET). */
  async removeConsumer(consumer: string): Promise<void> {
    await this.#link.run(FORGET, [this.#keys.q, this.#keys.nodes], [String(this.#settings.keyTtl), consumer]);
  }

  /**
   * The safety net under the heartbeat: takes entries pending longer than `minIdle` ms for any
   * consumer (one that read and died before its first heartbeat, or whose name was removed from the
   * heartbeat set while it still held entries). Returns how many it took.
   */
  async autoclaim(minIdle: number): Promise<number> {
    const reply = (await this.#link.call(['XAUTOCLAIM', this.#keys.q, GROUP, this.#settings.consumer, String(minIdle), '0-0', 'COUNT', String(RECLAIM_PAGE)])) as unknown[];
    const claimed = ((reply[1] ?? []) as (unknown[] | null)[]).filter((e): e is unknown[] => Array.isArray(e));
    // XAUTOCLAIM tells no delivery counts: poison isolation is the heartbeat reaper's (reclaimFrom).
    const entries = await this.#held(claimed, new Map());
    this.#taken.add(entries, true);
    this.#stats.reclaimed += entries.length;
    return entries.length;
  }

  /** Stops reading: a read in flight is abandoned (what it delivered stays pending in Redis). */
  async stop(): Promise<void> {
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) await reader.then((r) => r.close(), () => {});
  }

  /** Forgets what this process holds, without telling Redis (the keys are gone). */
  forget(): void {
    this.#taken.release();
  }

  /**
   * Re-adds the unfinished items of every held entry as new entries (REQUEUE), for any consumer to
   * take at once. Call after flushAcks(), so each entry's mark in Redis is where this process is.
   */
  async handBack(): Promise<void> {
    const held = this.#taken.release();
    if (held.length === 0) return;
    const args: RedisArg[] = [String(this.#settings.keyTtl)];
    for (const { id, from, items } of held) {
      if (items.length === 0) continue;
      // One entry back for one entry taken: its items were one entry before.
      const entry = encodeEntry(items, this.#settings.authkey);
      args.push(id, String(from), String(entry.n), entry.v, entry.h, entry.d);
    }
    await this.#link.run(REQUEUE, [this.#keys.q, this.#keys.hw], args);
  }

  /** Items held here and ready, without waiting (none: an empty array). */
  takeNow(max: number): T[] {
    const items = this.#taken.take(max);
    if (items.length > 0 && !this.#settings.joinable) this.taskDone(items.length);
    return items;
  }

  async #takeOrRead(max: number, deadline: number, signal: AbortSignal | undefined): Promise<T[]> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal, 'get() was aborted.');
      const items = this.#taken.take(max);
      if (items.length > 0) {
        // A plain queue's item is finished once taken.
        if (!this.#settings.joinable) this.taskDone(items.length);
        return items;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new QueueEmptyError();
      // A careful entry's next item goes out once its last is confirmed: send that, do not read.
      if (this.#taken.awaitingConfirmation && (await this.flushAcks().then(() => true, () => false))) continue;
      await this.#read(Math.min(remaining, MAX_BLOCK_MS));
    }
  }

  // One XREADGROUP, blocking up to `block` ms (at most a second, so a reclaim or close is not held up).
  async #read(block: number): Promise<void> {
    this.#consuming = true;
    // A reader connection that failed to open is asked for again by the next read.
    this.#reader ??= this.#link.duplicate().catch((error: unknown) => {
      this.#reader = undefined;
      throw error;
    });
    const reader = await this.#reader;
    const keys = this.#keys;
    const args = ['XREADGROUP', 'GROUP', GROUP, this.#settings.consumer, 'COUNT', String(this.#settings.window), 'BLOCK', String(Math.max(1, Math.ceil(block))), 'STREAMS', keys.q, '>'];
    let reply: unknown;
    try {
      reply = await reader.call(args);
    } catch (error) {
      // The stream expired (every process was gone past the key TTL) or was destroyed: begin again.
      if ((error as { redisCode?: string }).redisCode === 'NOGROUP') return createGroup(this.#link, keys);
      throw error;
    }
    if (!reply) return;
    const [[, entries = []] = []] = reply as [unknown, unknown[][]][];
    this.#taken.add(await this.#held(entries, undefined));
  }

  // Entries as read, as held entries: refused ones are settled at once and reported. Reclaimed ones
  // (`deliveries` given) skip the items another consumer already did (their high-water mark); past
  // maxDeliveries they are handed out carefully, and one more death moves the item then in hand to
  // the dead-letter stream.
  async #held(raw: unknown[][], deliveries: ReadonlyMap<string, number> | undefined): Promise<HeldEntry<T>[]> {
    const out: HeldEntry<T>[] = [];
    const refused: AckMark[] = [];
    const { maxDeliveries } = this.#settings;
    for (const [rawId, fields] of raw as [unknown, unknown[]][]) {
      const id = String(rawId);
      if (this.#taken.holds(id)) continue;
      const decoded = decodeEntry<T>(fields, this.#settings.authkey);
      if (!decoded.ok) {
        // Settled as done: no consumer could ever process it, and join must not wait for it.
        const n = claimedCount(fields);
        refused.push({ id, to: n, n, acked: n });
        this.#stats.rejected++;
        if (decoded.reason !== 'malformed') this.#settings.onRejected?.(new EntrySignatureError(this.#settings.name, id, decoded.reason));
        continue;
      }
      const n = decoded.items.length;
      // An entry handed back for a dead consumer carries the deliveries it had, and its done mark.
      const carried = carriedDeliveries(fields);
      let from = deliveries || carried > 0 ? Number(String((await this.#link.call(['HGET', this.#keys.hw, id])) ?? '0')) : 0;
      const delivered = carried + (deliveries?.get(id) ?? 1);
      if (delivered > maxDeliveries + 1 && from < n && (await this.#deadLetter(id, from, n, decoded.items[from], delivered))) from++;
      if (from >= n) continue;
      out.push({ id, n, from, items: from === 0 ? decoded.items : decoded.items.slice(from), careful: delivered > maxDeliveries });
    }
    if (refused.length > 0) await this.#ack(refused);
    return out;
  }

  // Moves item `index` of entry `id` to the dead-letter stream (DEAD); false if another consumer got past it.
  async #deadLetter(id: string, index: number, n: number, item: unknown, delivered: number): Promise<boolean> {
    const keys = this.#keys;
    const payload = encodeEntry([item], undefined).d;
    const reason = `in hand when its consumer died, delivery ${delivered}`;
    const args = [String(this.#settings.keyTtl), String(this.#settings.maxsize), id, String(index), String(n), payload, reason, String(delivered)];
    if (Number(await this.#link.run(DEAD, [keys.q, keys.alive, keys.ev, keys.hw, keys.meta, keys.dead], args)) !== 1) return false;
    this.#stats.deadLettered++;
    this.#settings.onDeadLetter?.(new PoisonItemError(this.#settings.name, `${id}:${index}`, delivered, keys.dead), item);
    return true;
  }

  #scheduleAck(): void {
    if (this.#ackScheduled) return;
    this.#ackScheduled = true;
    // Every taskDone of one event-loop turn goes in one script call.
    setImmediate(() => {
      this.#ackScheduled = false;
      void this.flushAcks().catch(() => {});
    });
  }

  async #ack(marks: readonly AckMark[]): Promise<void> {
    const args: RedisArg[] = [String(this.#settings.keyTtl), String(this.#settings.maxsize)];
    let expected = 0;
    for (const m of marks) {
      args.push(m.id, String(m.to), String(m.n));
      expected += m.to - m.acked;
    }
    const keys = this.#keys;
    const settled = Number(await this.#link.run(ACK, [keys.q, keys.alive, keys.ev, keys.hw, keys.meta], args));
    // Fewer settled than done here: another consumer had finished those items first.
    this.#stats.duplicatesDropped += Math.max(0, expected - settled);
  }
}

/** Creates the queue's consumer group, reading from the stream's start: entries put before any consumer count. */
export async function createGroup(link: RedisLink, keys: QueueKeys): Promise<void> {
  try {
    await link.call(['XGROUP', 'CREATE', keys.q, GROUP, '0', 'MKSTREAM']);
  } catch (error) {
    if ((error as { redisCode?: string }).redisCode !== 'BUSYGROUP') throw error;
  }
}

const MAX_BLOCK_MS = 1000;
const RECLAIM_PAGE = 100;
