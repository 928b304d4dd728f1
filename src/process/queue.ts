import { QueueClosedError } from '../errors/queue-closed-error.js';
import { LocalQueue } from '../queue/local/local-queue.js';
import { RedisQueueBackend } from '../queue/redis/redis-queue-backend.js';
import { createBackend, type QueueBackendOption } from '../queue/select-backend.js';
import type { QueueDescriptor } from '../internal/protocol.js';
import type { OutcomeStream, QueueBackend } from '../queue/backend.js';
import type { PoisonItemError } from '../queue/redis/errors/poison-item-error.js';
import type { RedisQueueStats } from '../queue/redis/redis-queue-options.js';
import { QueueProxy } from '../queue/wire/queue-proxy.js';
import { assertSerializable, copyItem, isPlainItem, QUEUE_BRAND } from '../internal/serialize.js';
import { throwOnQueues } from '../queue/queue-handles.js';
import { MAX_BODY_BYTES } from '../queue/wire/frame-codec.js';
import { EMPTY } from '../queue/local/queue-core.js';
import { ADOPT_QUEUE, CAP_PREFETCH, OWNERLESS, DEFER_TOOK, HANDLE_CLOSED, ON_DEAD_LETTER, QUEUE_STATS, OUTCOME_STREAM, DESCRIBE_QUEUE, DISPOSE_QUEUE, ITERATED, REMOTE_ITEMS, FIX_PREFETCH, FLUSH_PUTS, SOLE_PRODUCER, TRY_GET, TRY_PUT } from '../internal/symbols.js';
import { abortError, readFields, readSignal } from '../internal/abort.js';
import { observeQueue, readQueue } from '../queue/queue-reading.js';
import type { Observable } from 'rxjs';
import { normalizeTimeout } from '../internal/timeout.js';
import { showValue } from '../internal/show-value.js';

/**
 * Options of the {@link Queue} and {@link JoinableQueue} constructors.
 *
 * @example
 * ```ts
 * const local = new Queue<number>(10, { backend: 'local' }); // never Redis, even with RXMP_REDIS_URL set
 * const shared = new Queue<number>(10, { backend: redis('redis://127.0.0.1:6379', { name: 'numbers' }) });
 * local.close();
 * shared.close();
 * ```
 */
export interface QueueOptions {
  /**
   * Where the queue lives: `'auto'` (default: in Redis when `RXMP_REDIS_URL` is set, else local),
   * `'local'` (served by this process to the processes it is passed to), or `redis(url, { name })`
   * (a Redis stream every process and machine using that name shares). Everything else about the
   * queue keeps its meaning; see {@link redis} for what maxsize counts in Redis.
   */
  readonly backend?: QueueBackendOption;
}

/**
 * Options of put() and get(), as Python's `block=` and `timeout=` (milliseconds), and an AbortSignal.
 *
 * @example
 * ```ts
 * const q = new Queue<string>(1);
 * await q.put('a');
 * await q.put('b', { timeout: 50 }).catch((e) => console.log(e instanceof QueueFullError)); // true, after 50 ms
 * await q.get({ block: false });    // 'a' (Python's get(False))
 * ```
 */
export interface QueueWaitOptions {
  /** false: do not wait at all (the timeout is then ignored). Default true. */
  readonly block?: boolean;
  /** Most milliseconds to wait; undefined/null waits forever, 0 or less polls. */
  readonly timeout?: number | null;
  /**
   * Gives up the wait when aborted: the promise rejects with an `AbortError` (a DOMException) whose
   * `cause` is the signal's reason. An aborted get() took no item; an aborted put() put nothing. A
   * signal already aborted rejects at once, even if the queue could answer.
   */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link Queue.values} (and so of `for await`, which uses none) and {@link Queue.toObservable}.
 *
 * @example
 * ```ts
 * const q = new Queue<string | null>();
 * await q.put('a'); await q.put(null);
 * for await (const item of q.values({ sentinel: null, signal: AbortSignal.timeout(1000) })) console.log(item); // 'a'
 * ```
 */
export interface QueueIterateOptions<T> {
  /** Ends the loop when aborted: its pending get() rejects with an `AbortError`, taking no item. */
  readonly signal?: AbortSignal;
  /**
   * When given (even as `undefined`), an item equal to it (`Object.is`) ends the loop instead of being
   * yielded: Python's `for item in iter(q.get, None)`. Producers put one per consumer.
   */
  readonly sentinel?: T;
}

/**
 * Python's `multiprocessing.Queue`: a FIFO with an optional bound, usable from every process it is
 * passed to (in `Process` args). `put` waits while the queue is full, `get` while it is empty; the
 * `Nowait` forms throw instead. Items must be structured-cloneable (checked at put, so a bad item is
 * refused, never dropped later).
 *
 * The process that creates a queue holds its buffer; in other processes the same object is a proxy
 * whose `qsize`/`empty`/`full` are approximate, as in Python, and whose `putNowait`/`getNowait` answer
 * from what this process was already granted (credit, prefetched items).
 *
 * @example
 * const q = new Queue<number>(3);
 * await q.put(1); await q.put(2); await q.put(3);
 * q.full();          // true
 * await q.get();     // 1
 */
export class Queue<T> {
  readonly #backend: QueueBackend<T>;
  #closed = false;
  // The loops reading this handle (values(), toObservable()): close() ends their pending get.
  readonly #loops = new Set<AbortController>();
  // In the owner an item put here is the caller's own object: get() hands out a copy, as a get in
  // any other process (and Python, everywhere) does, so neither side sees the other's mutations.
  #copyOnGet: boolean;

  /** `maxsize` 0 or omitted (or negative, as in Python) = unbounded; otherwise a positive integer or Infinity. */
  constructor(maxsize: number = 0, options: QueueOptions = {}) {
    if (adopted) {
      this.#backend = adopted as QueueBackend<T>;
      this.#copyOnGet = false;
    } else {
      validateMaxsize(maxsize, new.target.name);
      if (typeof options !== 'object' || options === null) {
        throw new TypeError(`Expected the options of ${new.target.name} to be an object { backend? }, got \`${showValue(options)}\` (${options === null ? 'null' : typeof options}).`);
      }
      this.#backend = createBackend<T>(readFields(options, ['backend'], new.target.name).backend, maxsize, this.isJoinable(), new.target.name);
      // Items from Redis are this process's own fresh copies already.
      this.#copyOnGet = this.#backend instanceof LocalQueue;
    }
    adopted = undefined;
  }

  // put, get and taskDone run for every item, and a freshly started process runs them unoptimised
  // for its first few thousand items, where each function call costs ~0.3 µs: in the 1 KiB pipeline
  // two calls more per put and get made the children take 6-9 % more CPU. So the per-item methods
  // here and in the backends write their checks out, and the common case (no options, a string or
  // number item) calls nothing it need not.

  /**
   * Puts `item`, waiting while the queue is full (up to `timeout` ms, then QueueFullError; until
   * `signal` aborts, then an `AbortError`, the item not put).
   *
   * @example
   * ```ts
   * const q = new Queue<number>(2);
   * await q.put(1);
   * await q.put(2);
   * await q.put(3, { timeout: 100 }).catch((e) => console.log(e.name)); // QueueFullError
   * const controller = new AbortController();
   * const pending = q.put(4, { signal: controller.signal }); // waits: the queue is full
   * controller.abort('changed my mind');
   * await pending.catch((e) => console.log(e.cause));        // 'changed my mind': 4 was not put
   * ```
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    // Python's put(item, True, 1.0) would otherwise be taken for put(item) and block forever.
    const wait = options === undefined && arguments.length <= 2 ? WAIT_FOREVER : readWaitOptions('put', options, arguments.length - 1, arguments[2]);
    if (this.#closed) throw closedError('put');
    if (typeof item !== 'number' && (typeof item !== 'string' || item.length > LONG_STRING)) assertItem(item);
    if (wait.signal === undefined) return this.#backend.put(item, wait.block, wait.timeout);
    if (wait.signal.aborted) return Promise.reject(abortError(wait.signal, 'put() was aborted.'));
    return this.#backend.put(item, wait.block, wait.timeout, wait.signal);
  }

  /**
   * Takes the next item, waiting while the queue is empty (up to `timeout` ms, then QueueEmptyError;
   * until `signal` aborts, then an `AbortError`, no item taken: one arriving as it aborts goes to
   * the next get, here or in another process).
   *
   * @example
   * ```ts
   * const q = new Queue<string>();
   * await q.put('x');
   * console.log(await q.get());                          // 'x'
   * await q.get({ timeout: 100 }).catch((e) => console.log(e.name)); // QueueEmptyError
   * const controller = new AbortController();
   * const pending = q.get({ signal: controller.signal });
   * controller.abort();
   * await pending.catch((e) => console.log(e.name));     // AbortError
   * ```
   */
  get(options?: QueueWaitOptions): Promise<T> {
    // Python's get(False) or get(True, 1.0) would otherwise be taken for get() and block forever.
    const wait = options === undefined && arguments.length <= 1 ? WAIT_FOREVER : readWaitOptions('get', options, arguments.length, arguments[1]);
    if (this.#closed) throw closedError('get');
    const signal = wait.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal, 'get() was aborted.'));
    if (!this.#copyOnGet) return this.#backend.get(wait.block, wait.timeout, signal);
    // An item already here is copied now, without a further promise turn (primitives are not copied).
    const item = this.#backend.poll();
    if (item !== EMPTY) return Promise.resolve(copyItem(item));
    return this.#backend.get(wait.block, wait.timeout, signal).then(copyItem);
  }

  /**
   * Reads the queue item by item, as `for await (const item of queue)` does (with no options): each
   * step is a get() made only when the loop asks for the next item, so leaving the loop (`break`,
   * `return`, a throw) takes no further item. The loop ends when this handle is closed (close() or
   * disposal in this process, which also ends a get the loop is waiting in), or at the `sentinel`;
   * when `signal` aborts it throws an `AbortError`. Python's queues have no end-of-stream: a loop in
   * another process is ended by a sentinel its producers put (one per consumer), or by its own
   * signal or close().
   *
   * In a JoinableQueue each item is marked done (taskDone()) when the loop is finished with it: when
   * it asks for the next item, or leaves (break, return, or a throw from its body). Do not call
   * taskDone() yourself for items read this way. The sentinel is marked done too.
   *
   * @example
   * const q = new Queue<number | null>();
   * await q.put(1); await q.put(2); await q.put(null);
   * for await (const n of q.values({ sentinel: null })) console.log(n); // 1, 2
   */
  values(options: QueueIterateOptions<T> = {}): AsyncGenerator<T, void, undefined> {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Expected the options of values() to be an object { signal?, sentinel? }, got \`${showValue(options)}\` (${options === null ? 'null' : typeof options}).`);
    }
    const fields = readFields(options, ['signal', 'sentinel'], 'values()');
    const signal = readSignal(fields.signal, 'values()');
    const source = { get: (stop: AbortSignal) => this.get({ signal: stop }), isClosed: () => this.#closed, finished: () => this[ITERATED](), loops: this.#loops };
    return readQueue(source, signal, fields.has('sentinel'), fields.sentinel);
  }

  /**
   * `for await (const item of queue)`: {@link Queue.values} without options. It ends when this handle
   * is closed; in a JoinableQueue, each item is marked done when the loop asks for the next one or leaves.
   *
   * @example
   * const q = new JoinableQueue<string>();
   * await q.put('bread'); await q.put('stop');
   * for await (const item of q) {
   *   if (item === 'stop') break; // 'stop' is marked done, and nothing more is taken
   *   console.log(item);
   * }
   * await q.join(); // settles: both were marked done by the loop
   */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.values();
  }

  /**
   * The items of the queue as an RxJS Observable: each subscription reads the queue as
   * {@link Queue.values} does, emitting each item (a JoinableQueue marks it done once `next` returns:
   * observers handling items asynchronously should track them themselves). It completes when this
   * handle is closed or at the `sentinel`, and errors as get() does. Unsubscribing ends a pending get:
   * no item is taken after it.
   *
   * @example
   * ```ts
   * import { take } from 'rxjs';
   * const q = new Queue<number>();
   * await q.put(1); await q.put(2);
   * q.toObservable().pipe(take(2)).subscribe((n) => console.log(n)); // 1, 2
   * ```
   */
  toObservable(options: Pick<QueueIterateOptions<T>, 'sentinel'> = {}): Observable<T> {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Expected the options of toObservable() to be an object { sentinel? }, got \`${showValue(options)}\` (${options === null ? 'null' : typeof options}).`);
    }
    const fields = readFields(options, ['sentinel'], 'toObservable()');
    const sentinel = fields.has('sentinel') ? { sentinel: fields.sentinel as T } : {};
    return observeQueue((signal) => this.values({ ...sentinel, signal }));
  }

  /**
   * `await using queue = new Queue()`: closes this handle (ending its loops; later put/get throw
   * QueueClosedError), then waits until every put made here has been accepted and written to the
   * queue's owner, as Python's `close()` then `join_thread()`. A put still waiting for a free slot
   * is waited for too. The queue lives on in other processes that use it.
   *
   * @example
   * {
   *   await using q = new Queue<number>();
   *   await q.put(1);
   * } // q is closed here
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#backend.drain?.();
  }

  /** A loop over this queue is finished with an item: nothing to do here (JoinableQueue marks it done). */
  [ITERATED](): void {}

  /**
   * Puts `item` only if a slot is free now; otherwise throws QueueFullError.
   *
   * @example
   * ```ts
   * const q = new Queue<number>(1);
   * q.putNowait(1);
   * try { q.putNowait(2); } catch (e) { console.log(e instanceof QueueFullError); } // true
   * ```
   */
  putNowait(item: T): void {
    if (this.#closed) throw closedError('put');
    assertItem(item);
    this.#backend.putNowait(item);
  }

  /**
   * put() without the promise when the item can go at once: true if it was accepted, false if the
   * caller must await put() (full, closed, or the owner gone; put() then says which). A producer
   * child's loop puts this way: an await per item cost it ~300 bytes of garbage and a microtask.
   */
  [TRY_PUT](item: T): boolean {
    if (this.#closed) return false;
    if (typeof item !== 'number' && (typeof item !== 'string' || item.length > LONG_STRING)) assertItem(item);
    return this.#backend.offer(item);
  }

  /** getNowait() without the exception, for a consumer child's loop: the item, or EMPTY when none is here. */
  [TRY_GET](): T | typeof EMPTY {
    return this.#closed ? EMPTY : this.#backend.poll();
  }

  /** Settles once every put made here was accepted and written out: what is then put into another queue of the same owner arrives after it. */
  [FLUSH_PUTS](): Promise<void> {
    return this.#backend.flushPuts?.() ?? Promise.resolve();
  }

  /** The outcome stream beside a Redis queue (a pipeline's consumers report there); undefined elsewhere. */
  [OUTCOME_STREAM](): OutcomeStream | undefined {
    return this.#backend.outcomeStream?.();
  }

  /** What this process saw of the queue (a Redis queue's counters; undefined elsewhere). */
  [QUEUE_STATS](): Readonly<RedisQueueStats> | undefined {
    return this.#backend.stats?.();
  }

  /** Calls `listener` with each item this process moves to the dead-letter stream (a Redis queue; a no-op elsewhere). */
  [ON_DEAD_LETTER](listener: (error: PoisonItemError, item: T) => void): void {
    this.#backend.onDeadLetter?.(listener);
  }

  /**
   * Items taken here stay the owner's (redelivered if this process dies) until acknowledged by the
   * returned function, which hands the owner their outcome in the same message (written `now`, or
   * at the end of the turn).
   */
  [DEFER_TOOK](): (n: number, outcome: unknown, now: boolean) => void {
    const acknowledge = this.#backend.deferTook?.();
    if (!acknowledge) throw new TypeError('Only a process that did not create a queue can defer its takes.');
    return acknowledge;
  }

  /**
   * Takes an item only if one is there now; otherwise throws QueueEmptyError.
   *
   * @example
   * ```ts
   * const q = new Queue<number>();
   * q.putNowait(1);
   * console.log(q.getNowait());       // 1
   * try { q.getNowait(); } catch (e) { console.log(e instanceof QueueEmptyError); } // true
   * ```
   */
  getNowait(): T {
    if (this.#closed) throw closedError('get');
    const item = this.#backend.getNowait();
    return this.#copyOnGet ? copyItem(item) : item;
  }

  /**
   * Items in the queue now (approximate outside the creating process).
   *
   * @example
   * ```ts
   * const q = new Queue<number>();
   * await q.put(1);
   * console.log(q.qsize());           // 1
   * ```
   */
  qsize(): number {
    return this.#backend.qsize();
  }

  /**
   * True when no item is in the queue now (approximate outside the creating process).
   *
   * @example
   * ```ts
   * const q = new Queue<number>();
   * console.log(q.empty());           // true
   * ```
   */
  empty(): boolean {
    return this.#backend.qsize() === 0;
  }

  /**
   * True when no slot is free; an unbounded queue is never full.
   *
   * @example
   * ```ts
   * const q = new Queue<number>(1);
   * await q.put(1);
   * console.log(q.full());            // true
   * ```
   */
  full(): boolean {
    return this.#backend.full();
  }

  /**
   * No more puts or gets through this handle (in this process); later ones throw QueueClosedError.
   * In the process that created the queue, a closed queue is freed, its items dropped, once no child
   * uses it any more (at once if it was never passed to one); an open one is freed that way once
   * this object is garbage-collected. Children go on using it meanwhile, as in Python.
   *
   * @example
   * ```ts
   * const q = new Queue<number>();
   * q.close();
   * try { await q.put(1); } catch (e) { console.log(e instanceof QueueClosedError); } // true
   * ```
   */
  close(): void {
    this.#closed = true;
    for (const loop of this.#loops) loop.abort();
    this.#backend.close?.();
  }

  /** The backend, for JoinableQueue. */
  protected get backend(): QueueBackend<T> {
    return this.#backend;
  }

  /** No owner process serves this queue (it is in Redis): nothing here must outlive the workers it is passed to. */
  get [OWNERLESS](): boolean {
    return this.#backend instanceof RedisQueueBackend;
  }

  /** This handle was closed here (a pool worker then adopts the queue afresh for its next task). */
  get [HANDLE_CLOSED](): boolean {
    return this.#closed;
  }

  /** How a child process reaches this queue (used when it is passed in Process args). */
  [DESCRIBE_QUEUE](): QueueDescriptor {
    return this.#backend.describe(this.isJoinable(), this);
  }

  /** Makes proxies keep `n` items ahead instead of adapting (the caller already bounds what they hold). */
  [FIX_PREFETCH](n: number): void {
    if (this.#backend instanceof LocalQueue) this.#backend.fixPrefetch(n);
  }

  /** Makes proxies adapt their window up to `n` items instead of MAX_PREFETCH. */
  [CAP_PREFETCH](n: number): void {
    if (this.#backend instanceof LocalQueue) this.#backend.capPrefetch(n);
  }

  /** Only one other process will put into this queue: its credit window may be the whole queue. */
  [SOLE_PRODUCER](): void {
    if (this.#backend instanceof LocalQueue) this.#backend.markSoleProducer();
  }

  /** Every item reaches this queue from another process, already a copy: get() here need not copy it again. */
  [REMOTE_ITEMS](): this {
    this.#copyOnGet = false;
    return this;
  }

  /** Stops serving this queue to other processes; the library's own queues call it on teardown. */
  [DISPOSE_QUEUE](): void {
    this.#backend.dispose?.();
  }

  /**
   * Builds the proxy of a queue another process created (children get their queue arguments this
   * way), as an instance of the class it is called on (Queue or JoinableQueue).
   */
  static [ADOPT_QUEUE]<Q extends Queue<unknown>>(this: new () => Q, descriptor: QueueDescriptor): Q {
    adopted = descriptor.kind === 'redis' ? RedisQueueBackend.adopt(descriptor) : new QueueProxy(descriptor);
    return new this();
  }

  /** Whether proxies of this queue in other processes are JoinableQueues. */
  protected isJoinable(): boolean {
    return false;
  }

  static {
    Object.defineProperty(this.prototype, QUEUE_BRAND, { value: true });
  }
}

function closedError(operation: 'put' | 'get'): QueueClosedError {
  return new QueueClosedError(`Cannot ${operation}: this queue was closed in this process with close(). Use the queue before closing it, or create a new one.`);
}

// Python's Queue(maxsize) takes an int, any int <= 0 meaning unbounded; a float is its TypeError.
function validateMaxsize(maxsize: unknown, className: string): void {
  if (typeof maxsize === 'number' && (Number.isInteger(maxsize) || maxsize === Infinity || maxsize === -Infinity)) return;
  throw new TypeError(
    `Expected \`maxsize\` of ${className} to be an integer (0 or less: unbounded) or Infinity, got \`${showValue(maxsize)}\` (${typeof maxsize}).`,
  );
}

// block and timeout from an options object, read once; anything else where it belongs (Python's
// positional block/timeout, a further argument) or an options object whose reading throws is a TypeError.
function readWaitOptions(method: 'get' | 'put', options: unknown, count: number, second: unknown): WaitOptions {
  const isObject = typeof options === 'object' && options !== null && !Array.isArray(options);
  if (count <= 1 && isObject) {
    let block: unknown;
    let timeout: unknown;
    let signal: unknown;
    try {
      ({ block, timeout, signal } = options as QueueWaitOptions);
    } catch (cause) {
      throw new TypeError(`Reading the \`options\` of ${method}() threw: ${cause instanceof Error ? cause.message : showValue(cause)}. Pass a plain { block, timeout, signal } object.`, { cause });
    }
    return { block: block !== false, timeout: normalizeTimeout(timeout, method), signal: readSignal(signal, `${method}()`) };
  }
  if (options === undefined && count <= 1) return WAIT_FOREVER;
  if (isObject) throw new TypeError(`${method}() takes ${method === 'put' ? 'an item and ' : ''}one options object, got a further argument \`${showValue(second)}\`. Put block and timeout in the options: ${method}(${method === 'put' ? 'item, ' : ''}{ block: true, timeout: 1000 }).`);
  const item = method === 'put' ? 'item, ' : '';
  const python = `${method}(${item}${[options, second].slice(0, Math.max(count, 1)).map(pythonLiteral).join(', ')})`;
  const block = Boolean(options);
  const ours = `${method}(${item}{ block: ${block}${count > 1 && typeof second === 'number' ? `, timeout: ${second * 1000}` : block ? ', timeout: ms' : ''} })`;
  throw new TypeError(
    `Expected the options of ${method}() to be an object { block?, timeout? } or undefined, got \`${showValue(options)}\` (${typeof options})` +
      `${count > 1 ? ` and a further argument \`${showValue(second)}\`` : ''}. Python's ${python} is ${ours} here (timeout in milliseconds).`,
  );
}

function pythonLiteral(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return showValue(value);
}

// Structured clone checks only what it cannot be sure of: primitives always clone.
export function assertItem(item: unknown): void {
  if (typeof item !== 'object' || item === null) {
    if (typeof item === 'function' || typeof item === 'symbol') assertSerializable(item, 'item');
    else if (typeof item === 'string' && item.length > LONG_STRING) assertSerializable(item, 'item', MAX_BODY_BYTES);
    return;
  }
  if (isPlainItem(item)) return;
  // Structured clone copies a Queue inside an item as an empty object: it must be refused, at any depth.
  throwOnQueues(item, 'item');
  assertSerializable(item, 'item', MAX_BODY_BYTES);
}

interface WaitOptions {
  readonly block: boolean;
  readonly timeout: number | null;
  readonly signal?: AbortSignal | undefined;
}

let adopted: QueueBackend<unknown> | undefined;

const WAIT_FOREVER: WaitOptions = { block: true, timeout: null };

// A string this long may not fit in one frame: it is measured (see assertItem).
const LONG_STRING = MAX_BODY_BYTES / 2;
