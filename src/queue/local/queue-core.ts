import { TaskDoneError } from '../../errors/task-done-error.js';
import { countOf, EncodedBatch, type Entry } from './encoded-batch.js';

/** A get() waiting for an item. `deliver` returns false when the getter is gone (timed out, cancelled, dead). */
export interface Getter<T> {
  deliver(item: T): boolean;
}

/** A put() waiting for a free slot. `admit` returns false when the putter is gone; its item is then not taken. */
export interface Putter<T> {
  readonly item: T;
  admit(): boolean;
}

/**
 * The queue's state machine, with no I/O: the buffer, the capacity rule, the FIFO of waiting getters
 * and putters, and JoinableQueue's unfinished-task count. Every queue shape (the Python-style
 * Queue, its cross-process proxies, the reactive queue operator) drives this one engine. Items that
 * came from another process may sit in the buffer still encoded, as batches; they are decoded only
 * if this process takes them itself.
 */
export class QueueCore<T> {
  readonly #maxsize: number;
  #items: Entry<T>[] = [];
  #head = 0;
  #size = 0;
  readonly #getters: Getter<T>[] = [];
  readonly #putters: Putter<T>[] = [];
  #unfinished = 0;
  #reserved = 0;
  // One promise for every join() between two moments the count is zero: a waiter that gives up
  // (an aborted join) then leaves nothing behind here.
  #joined: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  /** Told of every taskDone (from this process or a proxy), for the reactive layer's bookkeeping. */
  onTaskDone: ((count: number) => void) | undefined;

  /** `maxsize <= 0` (or Infinity) is unbounded, as in Python. */
  constructor(maxsize = 0) {
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(`Expected \`maxsize\` to be a number (0 or less for unbounded), got \`${String(maxsize)}\` (${typeof maxsize}).`);
    }
    this.#maxsize = maxsize <= 0 ? Infinity : Math.floor(maxsize);
  }

  get maxsize(): number {
    return this.#maxsize;
  }

  /** Items buffered (put and not yet got). */
  get size(): number {
    return this.#size;
  }

  /** Items put and not yet marked done (JoinableQueue). */
  get unfinished(): number {
    return this.#unfinished;
  }

  /** Free slots: neither holding an item nor promised to a remote producer. */
  get free(): number {
    return this.#maxsize - this.size - this.#reserved;
  }

  isFull(): boolean {
    return this.free <= 0;
  }

  /**
   * Promises up to `n` free slots to a remote producer (its credit) and returns how many. Local
   * putters already waiting go first: a slot frees for them before it can be promised away.
   */
  reserve(n: number): number {
    const granted = Math.max(0, Math.min(n, this.free));
    this.#reserved += granted;
    return granted;
  }

  /** Gives back promised slots a producer did not use (it went idle, or its process ended). */
  release(n: number): void {
    this.#reserved = Math.max(0, this.#reserved - n);
    this.#admitPutters();
  }

  /** Accepts items sent against credit: they fill promised slots, so capacity was checked when promised. */
  acceptReserved(items: readonly T[]): void {
    this.#reserved = Math.max(0, this.#reserved - items.length);
    for (const item of items) {
      this.#unfinished++;
      if (this.size === 0 && this.#handToGetter(item)) continue;
      this.#push(item);
    }
  }

  /** Accepts an encoded batch sent against credit; it stays encoded unless a getter here waits. */
  acceptEncoded(batch: EncodedBatch<T>): void {
    if (this.size === 0 && this.#getters.length > 0) {
      const items = this.#decode(batch);
      if (items) return this.acceptReserved(items);
      this.#reserved = Math.max(0, this.#reserved - batch.count);
      return;
    }
    this.#reserved = Math.max(0, this.#reserved - batch.count);
    this.#unfinished += batch.count;
    this.#push(batch);
  }

  /**
   * Takes items from the head for a remote consumer: at least `share` if there are that many, and
   * whole encoded batches beyond it as long as they fit in `max`, so they leave as they came.
   */
  pollMany(share: number, max = share): Entry<T>[] {
    const taken: Entry<T>[] = [];
    let count = 0;
    const target = Math.min(share, max);
    while (count < target && this.size > 0) {
      const head = this.#items[this.#head] as Entry<T>;
      if (head instanceof EncodedBatch && count + head.count > max) {
        this.#expandHead();
        continue;
      }
      count += countOf(head);
      taken.push(this.#shift());
    }
    if (taken.length > 0) this.#admitPutters();
    return taken;
  }

  /** Accepts `item` if a slot is free (or a getter waits); false when full. */
  offer(item: T): boolean {
    if (this.size === 0 && this.#handToGetter(item)) {
      this.#unfinished++;
      return true;
    }
    if (this.isFull()) return false;
    this.#push(item);
    this.#unfinished++;
    return true;
  }

  /** Takes the head item, or returns `EMPTY`. Frees a slot, so the first waiting putter gets in. */
  poll(): T | typeof EMPTY {
    if (this.size === 0) return EMPTY;
    if (this.#items[this.#head] instanceof EncodedBatch) this.#expandHead();
    const item = this.#shift() as T;
    this.#admitPutters();
    return item;
  }

  /** Queues a putter until a slot frees up. Call only after offer() failed. */
  waitToPut(putter: Putter<T>): void {
    this.#putters.push(putter);
  }

  /** Queues a getter until an item arrives. Call only after poll() found nothing. */
  waitToGet(getter: Getter<T>): void {
    this.#getters.push(getter);
  }

  /** Takes a getter that gave up out of the line (it would decline an item anyway). */
  withdrawGetter(getter: Getter<T>): void {
    const i = this.#getters.indexOf(getter);
    if (i >= 0) this.#getters.splice(i, 1);
  }

  /** Takes a putter that gave up out of the line (it would decline its slot anyway). */
  withdrawPutter(putter: Putter<T>): void {
    const i = this.#putters.indexOf(putter);
    if (i >= 0) this.#putters.splice(i, 1);
  }

  /**
   * Returns items taken by a getter that could not receive them (its process died, its wait was
   * cancelled after they left), in their order: back to the head, so no item is lost and FIFO order
   * holds. Getters waiting here (the buffer is then empty) get the first of them.
   */
  putBack(entries: readonly Entry<T>[]): void {
    let returned = entries;
    let i = 0;
    while (i < returned.length && this.#getters.length > 0) {
      const entry = returned[i] as Entry<T>;
      if (entry instanceof EncodedBatch) {
        const items = this.#decode(entry);
        if (!items) this.#forget(entry.count);
        returned = [...(items ?? []), ...returned.slice(i + 1)];
        i = 0;
        continue;
      }
      if (!this.#handToGetter(entry)) break;
      i++;
    }
    for (let j = returned.length - 1; j >= i; j--) this.#unshift(returned[j] as Entry<T>);
  }

  /** Lets go of every buffered item (nobody can take them any more) and returns how many; they count as done. */
  drop(): number {
    const dropped = this.#size;
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
    this.#forget(dropped);
    return dropped;
  }

  /** Marks one item done; throws TaskDoneError when every item put is already done. */
  taskDone(count = 1): void {
    if (count > this.#unfinished) {
      throw new TaskDoneError(count > 1 ? ` (${count} at once, only ${this.#unfinished} unfinished)` : '');
    }
    this.#unfinished -= count;
    this.onTaskDone?.(count);
    if (this.#unfinished === 0 && this.#joined) this.#resolveJoined();
  }

  /**
   * Settles when every item ever put has been marked done (at once if none is pending). Every call
   * until then returns the same promise; the next one after it settled, a new one.
   */
  join(): Promise<void> {
    if (this.#unfinished === 0) return RESOLVED;
    if (!this.#joined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#joined = { promise, resolve };
    }
    return this.#joined.promise;
  }

  #resolveJoined(): void {
    const joined = this.#joined;
    this.#joined = undefined;
    joined?.resolve();
  }


  #handToGetter(item: T): boolean {
    while (this.#getters.length > 0) {
      const getter = this.#getters.shift() as Getter<T>;
      if (getter.deliver(item)) return true;
    }
    return false;
  }

  #admitPutters(): void {
    while (this.#putters.length > 0 && !this.isFull()) {
      const putter = this.#putters.shift() as Putter<T>;
      if (!putter.admit()) continue;
      if (this.size === 0 && this.#handToGetter(putter.item)) {
        this.#unfinished++;
        continue;
      }
      this.#push(putter.item);
      this.#unfinished++;
    }
  }

  #push(entry: Entry<T>): void {
    this.#items.push(entry);
    this.#size += countOf(entry);
  }

  #unshift(entry: Entry<T>): void {
    if (this.#head > 0) this.#items[--this.#head] = entry;
    else this.#items.unshift(entry);
    this.#size += countOf(entry);
  }

  // The head batch is about to be split (or taken here): its items replace it, in order.
  #expandHead(): void {
    const batch = this.#items[this.#head] as EncodedBatch<T>;
    const items = this.#decode(batch);
    this.#items.splice(this.#head, 1, ...(items ?? []));
    if (items) return;
    this.#size -= batch.count;
    this.#forget(batch.count);
  }

  // A batch that does not decode (a faulty peer wrote it: its frame and count checked out) is
  // reported lost, not thrown where a get or a drain happens to need it.
  #decode(batch: EncodedBatch<T>): T[] | undefined {
    try {
      const items = batch.decode();
      if (items.length === batch.count) return items;
      throw new Error(`it holds ${items.length} items, not ${batch.count}`);
    } catch (error) {
      // Logging is off by default, and a loss must not go unseen: a Node warning reaches stderr.
      process.emitWarning(`${batch.count} items lost: a batch from another process could not be decoded (${(error as Error).message}).`, 'RxMultiprocessingWarning');
      return undefined;
    }
  }

  // Lost items count as done: a join must not wait for them forever.
  #forget(count: number): void {
    this.#unfinished = Math.max(0, this.#unfinished - count);
    if (this.#unfinished === 0 && this.#joined) this.#resolveJoined();
  }

  // An index into the array instead of Array#shift: O(1) per take, compacted now and then.
  #shift(): Entry<T> {
    const item = this.#items[this.#head] as Entry<T>;
    this.#items[this.#head] = undefined as T;
    this.#size -= countOf(item);
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** What poll() returns when there is no item (undefined and null are valid items). */
export const EMPTY: unique symbol = Symbol('empty');
const RESOLVED = Promise.resolve();
