import { QueueClosedError } from '../errors/queue-closed-error.js';
import { QueueEmptyError } from '../errors/queue-empty-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { EMPTY, QueueCore } from '../internal/queue-core.js';
import { assertCloneable, QUEUE_BRAND } from '../internal/serialize.js';
import { MAX_TIMER_MS, normalizeTimeout } from '../internal/timeout.js';

/** Options of put() and get(), as Python's `block=` and `timeout=` (milliseconds). */
export interface QueueWaitOptions {
  /** false: do not wait at all (the timeout is then ignored). Default true. */
  readonly block?: boolean;
  /** Most milliseconds to wait; undefined/null waits forever, 0 or less polls. */
  readonly timeout?: number | null;
}

/**
 * Python's `multiprocessing.Queue`: a FIFO with an optional bound. `put` waits while the queue is
 * full, `get` while it is empty; the `Nowait` forms throw instead. Items must be structured-cloneable
 * (checked at put, so a bad item is refused, never dropped later).
 *
 * @example
 * const q = new Queue<number>(3);
 * await q.put(1); await q.put(2); await q.put(3);
 * q.full();          // true
 * await q.get();     // 1
 */
export class Queue<T> {
  readonly #core: QueueCore<T>;
  #closed = false;

  static {
    Object.defineProperty(this.prototype, QUEUE_BRAND, { value: true });
  }

  /** `maxsize` 0 or omitted (or negative) = unbounded. */
  constructor(maxsize = 0) {
    this.#core = new QueueCore<T>(maxsize);
  }

  /** Puts `item`, waiting while the queue is full (up to `timeout` ms, then QueueFullError). */
  put(item: T, options: QueueWaitOptions = {}): Promise<void> {
    const timeout = normalizeTimeout(options.timeout, 'put');
    this.#assertOpen('put');
    assertCloneable(item, 'item');
    if (this.#core.offer(item)) return RESOLVED;
    if (options.block === false || timeout === 0) return Promise.reject(new QueueFullError(this.#core.maxsize));
    return new Promise((resolve, reject) => {
      let active = true;
      const timer = startTimer(timeout, () => {
        active = false;
        reject(new QueueFullError(this.#core.maxsize, `The queue stayed full (maxsize ${this.#core.maxsize}) for ${timeout} ms. Give put() a longer timeout, consume faster, or enlarge maxsize.`));
      });
      this.#core.waitToPut({
        item,
        admit: () => {
          if (!active) return false;
          active = false;
          if (timer) clearTimeout(timer);
          resolve();
          return true;
        },
      });
    });
  }

  /** Takes the next item, waiting while the queue is empty (up to `timeout` ms, then QueueEmptyError). */
  get(options: QueueWaitOptions = {}): Promise<T> {
    const timeout = normalizeTimeout(options.timeout, 'get');
    this.#assertOpen('get');
    const item = this.#core.poll();
    if (item !== EMPTY) return Promise.resolve(item);
    if (options.block === false || timeout === 0) return Promise.reject(new QueueEmptyError());
    return new Promise((resolve, reject) => {
      let active = true;
      const timer = startTimer(timeout, () => {
        active = false;
        reject(new QueueEmptyError(`No item arrived within ${timeout} ms. Give get() a longer timeout, or check that a producer is putting items.`));
      });
      this.#core.waitToGet({
        deliver: (value) => {
          if (!active) return false;
          active = false;
          if (timer) clearTimeout(timer);
          resolve(value);
          return true;
        },
      });
    });
  }

  /** Puts `item` only if a slot is free now; otherwise throws QueueFullError. */
  putNowait(item: T): void {
    this.#assertOpen('put');
    assertCloneable(item, 'item');
    if (!this.#core.offer(item)) throw new QueueFullError(this.#core.maxsize);
  }

  /** Takes an item only if one is there now; otherwise throws QueueEmptyError. */
  getNowait(): T {
    this.#assertOpen('get');
    const item = this.#core.poll();
    if (item === EMPTY) throw new QueueEmptyError();
    return item;
  }

  /** Items in the queue now. */
  qsize(): number {
    return this.#core.size;
  }

  empty(): boolean {
    return this.#core.size === 0;
  }

  /** True when no slot is free; an unbounded queue is never full. */
  full(): boolean {
    return this.#core.isFull();
  }

  /** No more puts or gets through this handle (in this process); later ones throw QueueClosedError. */
  close(): void {
    this.#closed = true;
  }

  /** The engine, for JoinableQueue and the library's other layers. */
  protected get core(): QueueCore<T> {
    return this.#core;
  }

  #assertOpen(operation: 'put' | 'get'): void {
    if (this.#closed) {
      throw new QueueClosedError(`Cannot ${operation}: this queue was closed in this process with close(). Use the queue before closing it, or create a new one.`);
    }
  }
}

function startTimer(timeout: number | null, onTimeout: () => void): NodeJS.Timeout | undefined {
  if (timeout === null || timeout >= MAX_TIMER_MS) return undefined;
  return setTimeout(onTimeout, timeout);
}

const RESOLVED = Promise.resolve();
