import { QueueClosedError } from '../../errors/queue-closed-error.js';
import { QueueEmptyError } from '../../errors/queue-empty-error.js';
import { QueueFullError } from '../../errors/queue-full-error.js';
import { QUEUE_DESCRIPTOR_KEY, type LocalQueueDescriptor } from '../../internal/protocol.js';
import type { QueueBackend } from '../backend.js';
import { EMPTY, QueueCore } from './queue-core.js';
import { QueueOwner } from './queue-owner.js';
import { QueueServer } from './queue-server.js';
import { noteHandoff, type QueueLease } from './queue-lease.js';
import { logEvent } from '../../process/logger.js';
import { createWaiter, type Waiter } from '../../internal/wait.js';

/** A queue whose buffer lives in this process: the owner. Remote proxies reach it through QueueOwner. */
export class LocalQueue<T> implements QueueBackend<T> {
  readonly #core: QueueCore<T>;
  #owner: QueueOwner<T> | undefined;
  #waits = 0;
  readonly #waiters = new Set<Waiter<never>>();
  readonly #signalJoins = new Map<Promise<void>, Set<Waiter<void>>>();
  #prefetch: number | undefined;
  #maxPrefetch: number | undefined;
  #soleProducer = false;
  #redeliver = true;
  #onOutcomes: ((outcomes: unknown[]) => void) | undefined;
  #descriptor: LocalQueueDescriptor | undefined;
  #lease: QueueLease | undefined;
  #closed = false;

  constructor(maxsize: number) {
    this.#core = new QueueCore<T>(maxsize);
  }

  get maxsize(): number {
    return this.#core.maxsize;
  }

  put(item: T, block: boolean, timeout: number | null, signal?: AbortSignal): Promise<void> {
    if (this.#core.offer(item)) {
      this.#owner?.scheduleDrain();
      return RESOLVED;
    }
    if (!block || timeout === 0) return Promise.reject(new QueueFullError(this.maxsize));
    // A putter that gave up stays in the core's line, declining its slot (admit() is false): its item
    // is never put. It is taken out of the line too, so that waits given up do not pile up there.
    const putter = { item, admit: (): boolean => waiter.settle(undefined) };
    const [waiter, promise] = createWaiter<void>(
      timeout,
      () => new QueueFullError(this.maxsize, `The queue stayed full (maxsize ${this.maxsize}) for ${timeout} ms. Give put() a longer timeout, consume faster, or enlarge maxsize.`),
      () => this.#core.withdrawPutter(putter),
      signal && { signal, what: 'put()' },
    );
    this.#core.waitToPut(putter);
    return this.#whileWaiting(promise, waiter);
  }

  putNowait(item: T): void {
    if (!this.offer(item)) throw new QueueFullError(this.maxsize);
  }

  offer(item: T): boolean {
    if (!this.#core.offer(item)) return false;
    this.#owner?.scheduleDrain();
    return true;
  }

  get(block: boolean, timeout: number | null, signal?: AbortSignal): Promise<T> {
    const item = this.#core.poll();
    if (item !== EMPTY) {
      this.#owner?.scheduleDrain();
      return Promise.resolve(item);
    }
    if (!block || timeout === 0) return Promise.reject(new QueueEmptyError());
    // A getter that gave up declines the item it is offered (deliver() is false), which goes to the
    // next getter or stays in the buffer: an item is never lost to an aborted or timed-out get.
    const getter = { deliver: (value: T): boolean => waiter.settle(value) };
    const [waiter, promise] = createWaiter<T>(
      timeout,
      () => new QueueEmptyError(`No item arrived within ${timeout} ms. Give get() a longer timeout, or check that a producer is putting items.`),
      () => this.#core.withdrawGetter(getter),
      signal && { signal, what: 'get()' },
    );
    this.#core.waitToGet(getter);
    return this.#whileWaiting(promise, waiter);
  }

  getNowait(): T {
    const item = this.poll();
    if (item === EMPTY) throw new QueueEmptyError();
    return item;
  }

  poll(): T | typeof EMPTY {
    const item = this.#core.poll();
    if (item !== EMPTY) this.#owner?.scheduleDrain();
    return item;
  }

  unfinished(): number {
    return this.#core.unfinished;
  }

  qsize(): number {
    return this.#core.size;
  }

  full(): boolean {
    return this.#core.size >= this.#core.maxsize;
  }

  taskDone(): void {
    this.#owner?.localTaskDone();
    this.#core.taskDone();
  }

  /** Items a dead proxy had taken and not marked done go back (see QueueOwner); false: Python's rule, they are lost (before it is first described). */
  setRedeliver(redeliver: boolean): void {
    this.#redeliver = redeliver;
  }

  /** Items that dead processes had taken and not marked done, put back so far. */
  redelivered(): number {
    return this.#owner?.redelivered ?? 0;
  }

  onTaskDone(listener: (count: number) => void): void {
    this.#core.onTaskDone = listener;
  }

  /** Calls `listener` with the outcomes proxies report along with the items they took (before it is first described). */
  onOutcomes(listener: (outcomes: unknown[]) => void): void {
    this.#onOutcomes = listener;
  }

  join(signal?: AbortSignal): Promise<void> {
    const joined = this.#core.join();
    if (this.#core.unfinished === 0) return joined;
    if (!signal) return this.#whileWaiting(joined);
    // The joins with a signal waiting on one join promise are settled by one reaction to it, so that
    // one given up (a loop of joins with a timeout) leaves nothing behind.
    let waiters = this.#signalJoins.get(joined);
    if (!waiters) {
      const created = new Set<Waiter<void>>();
      waiters = created;
      this.#signalJoins.set(joined, created);
      void joined.then(() => {
        this.#signalJoins.delete(joined);
        for (const waiter of created) waiter.settle(undefined);
      });
    }
    const group = waiters;
    const [waiter, promise] = createWaiter<void>(null, unreachable, () => group.delete(waiter), { signal, what: 'join()' });
    group.add(waiter);
    return this.#whileWaiting(promise, waiter);
  }

  // A wait in the owner is settled by other processes (daemon consumers whose connections do not
  // keep this process alive): while it lasts, the server keeps their connections ref'd and this
  // process's children hold it (a daemon not connected yet included), or Node would exit with the
  // promise unsettled — where Python's main stays blocked in q.join().
  #whileWaiting<V>(promise: Promise<V>, waiter?: Waiter<V>): Promise<V> {
    if (this.#waits++ === 0) QueueServer.holdOpen(+1);
    if (waiter) this.#waiters.add(waiter as Waiter<never>);
    const release = (): void => {
      if (waiter) this.#waiters.delete(waiter as Waiter<never>);
      if (--this.#waits === 0) QueueServer.holdOpen(-1);
    };
    promise.then(release, release);
    return promise;
  }

  /**
   * Stops serving the queue, and fails the waits still pending in this process (the library's own
   * read loops, left waiting when their pipeline ended): a stale wait would go on holding this
   * process and its children alive.
   */
  dispose(): void {
    this.#failWaits('The queue was disposed while this wait was pending.');
    this.#lease?.end();
  }

  /**
   * The handle here was closed: it no longer keeps the queue served. Once no child uses it either,
   * its items are dropped, since no process can take them any more (now, if it was never shared).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#lease) {
      this.#dropItems();
      return;
    }
    HANDLES.unregister(this.#lease);
    this.#lease.release();
  }

  // Nobody uses the queue from another process any more: forget the owner. If the handle here is
  // closed too, nothing can take the items or settle a wait.
  #forgetOwner(): void {
    this.#owner = undefined;
    this.#descriptor = undefined;
    this.#lease = undefined;
    if (!this.#closed) return;
    this.#dropItems();
  }

  #dropItems(): void {
    this.#failWaits('The queue was closed, and no other process uses it: no item can arrive or be taken.');
    const dropped = this.#core.drop();
    if (dropped > 0) logEvent('debug', 'dropped %d items of a closed queue that no process uses', dropped);
  }

  #failWaits(message: string): void {
    for (const waiter of this.#waiters) waiter.fail(new QueueClosedError(message));
  }

  /** Proxies of this queue keep a fixed window of `n` items (before it is first described). */
  fixPrefetch(n: number): void {
    this.#prefetch = n;
  }

  /** Proxies of this queue adapt their window up to `n` items (before it is first described). */
  capPrefetch(n: number): void {
    this.#maxPrefetch = n;
  }

  /** One remote process will put into this queue (before it is first described). */
  markSoleProducer(): void {
    this.#soleProducer = true;
  }

  describe(joinable: boolean, handle: object): LocalQueueDescriptor {
    if (!this.#descriptor) {
      const server = QueueServer.get();
      const id = `${process.pid}.${++lastId}`;
      this.#owner = new QueueOwner<T>(id, this.#core, this.#onOutcomes, joinable && this.#redeliver);
      const lease = server.register(this.#owner as QueueOwner<unknown>, () => {
        if (this.#lease === lease) this.#forgetOwner();
      });
      this.#lease = lease;
      // The server holds the owner, never the handle: once the user's Queue is collected, the
      // registry lets go of the hold it had.
      if (!this.#closed) {
        lease.hold();
        HANDLES.register(handle, lease, lease);
      }
      this.#descriptor = {
        [QUEUE_DESCRIPTOR_KEY]: true,
        id,
        address: server.address,
        maxsize: this.maxsize,
        joinable,
        ...(this.#prefetch ? { prefetch: this.#prefetch } : {}),
        ...(this.#maxPrefetch ? { maxPrefetch: this.#maxPrefetch } : {}),
        ...(this.#soleProducer ? { soleProducer: true } : {}),
      };
    }
    noteHandoff(this.#lease as QueueLease);
    return this.#descriptor;
  }
}

function unreachable(): Error {
  return new Error('A wait without a timeout timed out.');
}

let lastId = 0;
const HANDLES = new FinalizationRegistry<QueueLease>((lease) => lease.release());
const RESOLVED = Promise.resolve();
