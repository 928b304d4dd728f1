import { TaskDoneError } from '../../errors/task-done-error.js';

/** A stream entry this process holds: its items from index `from` on, until each is done. */
export interface HeldEntry<T> {
  readonly id: string;
  /** Items in the whole entry. */
  readonly n: number;
  /** Items [from, n) of the entry, in order (earlier ones were done elsewhere before a reclaim). */
  readonly items: T[];
  readonly from: number;
  /**
   * Hand out one item at a time, each recorded in Redis before the next goes out: for an entry that
   * was with consumers that died, so that the next death points at the item that caused it.
   */
  readonly careful?: boolean;
}

/** One entry's progress to acknowledge: items [.., to) of an entry of n are done. */
export interface AckMark {
  readonly id: string;
  readonly to: number;
  readonly n: number;
  /** The mark acknowledged before this one (the duplicates count is what Redis did not settle). */
  readonly acked: number;
}

/**
 * What this process took from Redis and has not finished: entries waiting to be handed out, in
 * order, and entries handed out whose items are not all done. Pure bookkeeping, no I/O, so the
 * hand-out and taskDone rules are testable apart from Redis.
 *
 * taskDone() settles the oldest item handed out and not done, as Python's counts: a done prefix of
 * each entry, which is what the ack script records, so a crash re-runs only the unfinished suffix.
 */
export class TakenEntries<T> {
  readonly #ready: Progress<T>[] = [];
  readonly #handed: Progress<T>[] = [];
  readonly #dirty = new Set<Progress<T>>();
  readonly #held = new Set<string>();
  // Entries whose marks are on their way to Redis, by id: a mark that failed is owed again.
  readonly #sending = new Map<string, Progress<T>>();

  /** Entries not yet handed out, and their items. */
  get readyItems(): number {
    let n = 0;
    for (const p of this.#ready) n += p.entry.items.length - p.next;
    return n;
  }

  /** Items handed out and not yet done. */
  get undone(): number {
    let n = 0;
    for (const p of this.#handed) n += p.next - p.done;
    return n;
  }

  /** True when this process already holds entry `id` (a re-read of its own pending list). */
  holds(id: string): boolean {
    return this.#held.has(id);
  }

  /** Adds entries read from the stream; `first` puts them ahead of those waiting (redelivered, older work). */
  add(entries: readonly HeldEntry<T>[], first = false): void {
    const progress = entries.filter((e) => !this.#held.has(e.id)).map((entry) => ({ entry, next: 0, done: 0, acked: entry.from, confirmed: entry.from }));
    for (const p of progress) this.#held.add(p.entry.id);
    if (first) this.#ready.unshift(...progress);
    else this.#ready.push(...progress);
  }

  /**
   * Hands out up to `max` items, in order; none when nothing is ready. A careful entry gives one
   * item, and the next only once Redis has confirmed the one before done; entries behind it go on.
   */
  take(max: number): T[] {
    const out: T[] = [];
    let i = 0;
    while (out.length < max && i < this.#ready.length) {
      const p = this.#ready[i] as Progress<T>;
      const items = p.entry.items;
      if (p.entry.careful && p.entry.from + p.next > p.confirmed) {
        i++;
        continue;
      }
      if (p.next === 0) this.#handed.push(p);
      const k = p.entry.careful ? 1 : Math.min(max - out.length, items.length - p.next);
      for (let j = 0; j < k; j++) out.push(items[p.next + j] as T);
      p.next += k;
      if (p.next === items.length) this.#ready.splice(i, 1);
      else i++;
    }
    return out;
  }

  /** True when a careful entry waits only for Redis to confirm its last item done. */
  get awaitingConfirmation(): boolean {
    return this.#ready.some((p) => p.entry.careful && p.next === p.done && p.entry.from + p.next > p.confirmed);
  }

  /** Marks the `count` oldest handed-out items done; TaskDoneError if fewer are undone. */
  done(count: number): void {
    if (count > this.undone) throw new TaskDoneError(` (${count} more than the ${this.undone} items this process took and has not finished)`);
    let left = count;
    // A careful entry waiting for its next item may have all its handed items done: skip it.
    for (let j = 0; left > 0; ) {
      const p = this.#handed[j] as Progress<T>;
      const k = Math.min(left, p.next - p.done);
      if (k === 0) {
        j++;
        continue;
      }
      p.done += k;
      left -= k;
      this.#dirty.add(p);
      if (p.done === p.entry.items.length) {
        this.#handed.splice(j, 1);
        this.#held.delete(p.entry.id);
      }
    }
  }

  /**
   * Everything held and not done, per entry: its id, the entry index of its first unfinished item
   * (the acknowledged mark, once drainMarks() was flushed), and those items. Empties the books: the
   * caller hands them back.
   */
  release(): { readonly id: string; readonly from: number; readonly items: T[] }[] {
    const out = [];
    for (const p of [...this.#handed, ...this.#ready.filter((r) => r.next === 0)]) {
      out.push({ id: p.entry.id, from: p.entry.from + p.done, items: p.entry.items.slice(p.done) });
    }
    this.#handed.length = 0;
    this.#ready.length = 0;
    this.#held.clear();
    this.#sending.clear();
    this.#dirty.clear();
    return out;
  }

  /** The acknowledgements owed since the last call, one per entry with new progress. */
  drainMarks(): AckMark[] {
    const marks: AckMark[] = [];
    for (const p of this.#dirty) {
      const to = p.entry.from + p.done;
      marks.push({ id: p.entry.id, to, n: p.entry.n, acked: p.acked });
      p.acked = to;
      this.#sending.set(p.entry.id, p);
    }
    this.#dirty.clear();
    return marks;
  }

  /** `marks` reached Redis. */
  sent(marks: readonly AckMark[]): void {
    for (const m of marks) {
      const p = this.#sending.get(m.id);
      if (!p) continue;
      p.confirmed = Math.max(p.confirmed, m.to);
      if (p.acked === m.to) this.#sending.delete(m.id);
    }
  }

  /** `marks` did not reach Redis (it refused or was gone): the next drainMarks() owes them again. */
  unsent(marks: readonly AckMark[]): void {
    for (const m of marks) {
      const p = this.#sending.get(m.id);
      if (!p) continue;
      p.acked = Math.min(p.acked, m.acked);
      this.#dirty.add(p);
    }
  }
}

interface Progress<T> {
  readonly entry: HeldEntry<T>;
  /** Index (into entry.items) of the next item to hand out. */
  next: number;
  /** Items of entry.items done so far (a prefix). */
  done: number;
  /** The entry index acknowledged to Redis so far. */
  acked: number;
  /** The entry index Redis confirmed (the acknowledgement's reply came). */
  confirmed: number;
}
