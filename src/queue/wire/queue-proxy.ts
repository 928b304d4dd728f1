import { QueueClosedError } from '../../errors/queue-closed-error.js';
import { QueueEmptyError } from '../../errors/queue-empty-error.js';
import { QueueFullError } from '../../errors/queue-full-error.js';
import { TaskDoneError } from '../../errors/task-done-error.js';
import { elapsedMs } from '../../internal/elapsed.js';
import { MAX_PREFETCH, nextPrefetchWindow } from '../../internal/prefetch-window.js';
import { decodeItems, encodeItemBodies, type Body } from './frame-codec.js';
import type { LocalQueueDescriptor, QueueWireMessage } from '../../internal/protocol.js';
import type { QueueBackend } from '../backend.js';
import { QueueClient, type ConnectedProxy } from './queue-client.js';
import { EMPTY } from '../local/queue-core.js';
import { createWaiter, type Waiter } from '../../internal/wait.js';

/**
 * A queue whose buffer lives in another process. Puts spend credit the owner granted (so they resolve
 * at once while credit lasts, and wait when the queue is full); gets take from a small prefetch of
 * items the owner sent. Everything written in one event-loop turn leaves as one batch.
 */
export class QueueProxy<T> implements QueueBackend<T>, ConnectedProxy {
  readonly #descriptor: LocalQueueDescriptor;
  readonly #client: QueueClient;
  readonly #putWindow: number;
  // Producer side.
  #credit = 0;
  #creditAsked = 0;
  #outgoing: T[] = [];
  #outgoingSince = 0;
  readonly #pendingPuts: { item: T; waiter: Waiter<void> & { readonly promise: Promise<void> } }[] = [];
  #lastPutAt = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  // Consumer side.
  #local: T[] = [];
  #localHead = 0;
  #requested = 0;
  readonly #pendingGets: Waiter<T>[] = [];
  #prefetch = 1;
  // A fixed window (the library's own queues) needs no timing of the user's items.
  readonly #adaptive: boolean;
  readonly #maxPrefetch: number;
  #lastTakeAt = 0;
  #taken = 0;
  #tookUnsent = 0;
  #deferTook = false;
  #outcomes: unknown[] = [];
  // JoinableQueue.
  #doneTotal = 0;
  #doneUnsent = 0;
  readonly #joins = new Map<number, Waiter<void>>();
  #lastJoinId = 0;
  // The owner's buffer length, as of its last message.
  #ownerSize = 0;
  #gone: string | undefined;

  constructor(descriptor: LocalQueueDescriptor) {
    this.#descriptor = descriptor;
    this.#putWindow = putWindow(descriptor.maxsize, descriptor.soleProducer === true);
    if (descriptor.prefetch) this.#prefetch = descriptor.prefetch;
    this.#adaptive = !descriptor.prefetch;
    this.#maxPrefetch = descriptor.maxPrefetch ?? MAX_PREFETCH;
    this.#client = QueueClient.for(descriptor.address);
    this.#client.attach(descriptor.id, this);
  }

  get maxsize(): number {
    return this.#descriptor.maxsize;
  }

  put(item: T, block: boolean, timeout: number | null, signal?: AbortSignal): Promise<void> {
    if (this.#gone) throw this.#goneError();
    if (this.#credit > 0 && this.#pendingPuts.length === 0) {
      this.#accept(item);
      return RESOLVED;
    }
    this.#askCredit(1);
    if (!block || timeout === 0) return Promise.reject(new QueueFullError(this.maxsize));
    // A put waiting here has sent nothing yet: one that gives up leaves the line, its item unsent.
    // The credit it asked for, once granted, serves the next put or is released when idle.
    const [waiter, promise] = createWaiter<void>(
      timeout,
      () => new QueueFullError(this.maxsize, `The queue stayed full (maxsize ${this.maxsize}) for ${timeout} ms. Give put() a longer timeout, consume faster, or enlarge maxsize.`),
      () => {
        const i = this.#pendingPuts.indexOf(pending);
        if (i >= 0) this.#pendingPuts.splice(i, 1);
        this.#client.updateRef();
      },
      signal && { signal, what: 'put()' },
    );
    const pending = { item, waiter: Object.assign(waiter, { promise }) };
    this.#pendingPuts.push(pending);
    this.#client.updateRef();
    return promise;
  }

  offer(item: T): boolean {
    if (this.#gone || this.#credit <= 0 || this.#pendingPuts.length > 0) return false;
    this.#accept(item);
    return true;
  }

  putNowait(item: T): void {
    if (this.#gone) throw this.#goneError();
    if (this.#credit > 0 && this.#pendingPuts.length === 0) return this.#accept(item);
    // Ask now, so that a later putNowait can succeed once the owner answers.
    this.#askCredit(1);
    throw new QueueFullError(this.maxsize, `No free slot was granted to this process yet (maxsize ${this.maxsize}); a blocking \`await put(item)\` waits for one.`);
  }

  get(block: boolean, timeout: number | null, signal?: AbortSignal): Promise<T> {
    if (this.#gone) throw this.#goneError();
    // One clock read times both the item the caller just processed (for the window) and this take.
    // The steady case, a fast consumer at the largest window, changes nothing and calls nothing.
    let now = 0;
    if (this.#adaptive) {
      now = Date.now();
      if (now !== this.#lastTakeAt || this.#prefetch < this.#maxPrefetch) this.#adaptPrefetch(now);
    }
    if (this.#local.length > this.#localHead) return Promise.resolve(this.#take(now));
    if (!block || timeout === 0) return Promise.reject(new QueueEmptyError(NOTHING_HERE));
    // A get that gives up (timeout or abort) leaves the line and takes back the request it sent, so
    // the owner hands what it had not sent yet to other consumers; an item already on its way is
    // declined here (see #receive) and goes to the next get or back to the owner.
    const [waiter, promise] = createWaiter<T>(
      timeout,
      () => new QueueEmptyError(`No item arrived within ${timeout} ms. Give get() a longer timeout, or check that a producer is putting items.`),
      () => {
        const i = this.#pendingGets.indexOf(waiter);
        if (i >= 0) this.#pendingGets.splice(i, 1);
        this.#cancelSurplusRequests();
      },
      signal && { signal, what: 'get()' },
    );
    this.#pendingGets.push(waiter);
    this.#askItems(0);
    this.#client.updateRef();
    return promise;
  }

  getNowait(): T {
    if (this.#gone) throw this.#goneError();
    if (this.#local.length > this.#localHead) return this.#take();
    throw new QueueEmptyError(NOTHING_HERE);
  }

  // get()'s path for an item already here, without its promise. The window adapts only when an item
  // is taken: an empty poll is followed by a get(), which times the same item again. The timing is
  // written out as in get(), not shared through a method: this runs for every item (see Queue).
  poll(): T | typeof EMPTY {
    if (this.#gone || this.#local.length === this.#localHead) return EMPTY;
    let now = 0;
    if (this.#adaptive) {
      now = Date.now();
      if (now !== this.#lastTakeAt || this.#prefetch < this.#maxPrefetch) this.#adaptPrefetch(now);
    }
    return this.#take(now);
  }

  qsize(): number {
    return this.#ownerSize + this.#localSize();
  }

  full(): boolean {
    return this.qsize() >= this.maxsize;
  }

  taskDone(): void {
    // The owner counts globally; here the rule is local: no more taskDone() than items taken here.
    if (this.#doneTotal >= this.#taken) {
      throw new TaskDoneError(` (this process took ${this.#taken} item(s) from the queue and has marked them all done)`);
    }
    this.#doneTotal++;
    this.#doneUnsent++;
    this.#client.scheduleFlush();
  }

  join(signal?: AbortSignal): Promise<void> {
    if (this.#gone) return Promise.reject(this.#goneError());
    const id = ++this.#lastJoinId;
    // An aborted join forgets its id and tells the owner, which then neither answers nor keeps it.
    const [waiter, promise] = createWaiter<void>(
      null,
      () => new Error('unreachable'),
      () => {
        this.#joins.delete(id);
        if (!this.#gone) this.#client.connection.send({ t: 'unjoin', q: this.#descriptor.id, id });
        this.#client.updateRef();
      },
      signal && { signal, what: 'join()' },
    );
    this.#joins.set(id, waiter);
    // Our own taskDone counts must reach the owner before the join they precede.
    this.flush();
    this.#client.connection.send({ t: 'join', q: this.#descriptor.id, id });
    this.#client.updateRef();
    return promise;
  }

  describe(): LocalQueueDescriptor {
    return this.#descriptor;
  }

  handle(message: QueueWireMessage, body: Body | undefined): void {
    switch (message.t) {
      case 'credit':
        this.#ownerSize = message.size;
        this.#creditAsked = Math.max(0, this.#creditAsked - message.n);
        this.#credit += message.n;
        this.#admitPendingPuts();
        break;
      case 'items': {
        this.#ownerSize = message.size;
        const items = decodeItems<T>(body);
        this.#requested = Math.max(0, this.#requested - items.length);
        this.#receive(items);
        break;
      }
      case 'joined':
        this.#joins.get(message.id)?.settle(undefined);
        this.#joins.delete(message.id);
        break;
      case 'fail':
        process.emitWarning(`${message.name}: ${message.message}`, { code: 'RX_MULTIPROCESSING_QUEUE' });
        break;
      case 'put':
      case 'want-credit':
      case 'release':
      case 'request':
      case 'unrequest':
      case 'give-back':
      case 'took':
      case 'done':
      case 'join':
      case 'unjoin':
        break;
      default:
        message satisfies never;
    }
    this.#client.updateRef();
  }

  flush(): void {
    const q = this.#descriptor.id;
    const connection = this.#client.connection;
    if (this.#outgoing.length > 0) {
      connection.sendItems((n) => ({ t: 'put', q, n }), this.#outgoing);
      this.#outgoing = [];
    }
    if (this.#tookUnsent > 0) {
      connection.send({ t: 'took', q, n: this.#tookUnsent }, this.#outcomes.length > 0 ? this.#outcomes : undefined);
      this.#tookUnsent = 0;
      this.#outcomes = [];
    }
    if (this.#doneUnsent > 0) {
      connection.send({ t: 'done', q, n: this.#doneUnsent });
      this.#doneUnsent = 0;
    }
  }

  hasUnsent(): boolean {
    return this.#outgoing.length > 0 || this.#tookUnsent > 0 || this.#doneUnsent > 0 || this.#pendingPuts.some((p) => p.waiter.active);
  }

  async flushPuts(): Promise<void> {
    await this.whenPutsSettled();
    this.flush();
  }

  // The owner keeps what it sent here until told it was taken, and gives back what was not when this
  // process goes. A direct consumer says so only once it handled the items, in the message that
  // carries their outcome: the items of one that dies go to the other consumers, and no outcome is
  // ever reported for an item that is also redelivered.
  deferTook(): (n: number, outcome: unknown, now: boolean) => void {
    this.#deferTook = true;
    return (n, outcome, now) => {
      this.#tookUnsent += n;
      this.#outcomes.push(outcome);
      // A synchronous handler's loop does not let the turn end while items are here: an outcome
      // due now (and the refill requests with it) is written at once, as a prompt put is.
      if (now) this.#client.flushNow();
      else this.#client.scheduleFlush();
    };
  }

  /** Settles once every put made here was accepted and everything batched has left this process (disposal). */
  async drain(): Promise<void> {
    await this.whenPutsSettled();
    this.#client.flushNow();
    await this.#client.connection.flushed();
  }

  async whenPutsSettled(): Promise<void> {
    const pending = this.#pendingPuts.filter((p) => p.waiter.active);
    if (pending.length === 0) return;
    this.#client.connection.socket.ref();
    await Promise.allSettled(pending.map((p) => p.waiter.promise));
  }

  isWaiting(): boolean {
    return this.#pendingPuts.some((p) => p.waiter.active) || this.#pendingGets.some((g) => g.active) || this.#joins.size > 0;
  }

  ownerGone(reason: string): void {
    this.#gone = reason;
    const error = this.#goneError();
    for (const { waiter } of this.#pendingPuts.splice(0)) waiter.fail(error);
    for (const waiter of this.#pendingGets.splice(0)) waiter.fail(error);
    for (const waiter of this.#joins.values()) waiter.fail(error);
    this.#joins.clear();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
  }

  #accept(item: T): void {
    this.#credit--;
    const now = Date.now();
    if (this.#outgoing.length === 0) this.#outgoingSince = now;
    this.#outgoing.push(item);
    // elapsedMs() written out, as this runs for every put: calling it here (twice a put) cost a fresh
    // producer ~6 % more CPU in the 1 KiB pipeline. A clock set back counts as a pause.
    const paused = now - this.#lastPutAt;
    const prompt = paused >= PROMPT_FLUSH_MS || paused < 0 || now - this.#outgoingSince >= PROMPT_FLUSH_MS;
    this.#lastPutAt = now;
    // Ask for the next window before this one runs out, so a steady producer never waits a round trip.
    if (this.#credit + this.#creditAsked < this.#putWindow / 2) this.#askCredit(this.#putWindow);
    if (!this.#idleTimer) this.#armIdleRelease();
    // Puts batch until the event loop turns, and a CPU-bound loop (compute, `await put`, repeat) never
    // lets it turn while credit lasts: its items would all leave at the end. So a put after a pause,
    // or into a batch that has waited PROMPT_FLUSH_MS, leaves at once with everything else this
    // process batched; a fast producer still batches.
    if (prompt) this.#client.flushNow();
    else this.#client.scheduleFlush();
  }

  #askCredit(atLeast: number): void {
    const want = Math.max(atLeast, this.#pendingPuts.length + 1, this.#putWindow) - this.#credit - this.#creditAsked;
    if (want <= 0 || this.#gone) return;
    this.#creditAsked += want;
    this.#client.connection.send({ t: 'want-credit', q: this.#descriptor.id, n: want });
  }

  #admitPendingPuts(): void {
    while (this.#credit > 0 && this.#pendingPuts.length > 0) {
      const { item, waiter } = this.#pendingPuts.shift() as { item: T; waiter: Waiter<void> };
      if (!waiter.active) continue;
      this.#accept(item);
      waiter.settle(undefined);
    }
    if (this.#pendingPuts.length > 0) this.#askCredit(this.#pendingPuts.length);
  }

  // Credit a producer stopped using would hold slots others may need: give it back after a short idle spell.
  #armIdleRelease(): void {
    if (this.#idleTimer) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#gone) return;
      if (elapsedMs(this.#lastPutAt) < IDLE_RELEASE_MS || this.#pendingPuts.length > 0) return this.#armIdleRelease();
      if (this.#credit > 0) {
        this.flush();
        this.#client.connection.send({ t: 'release', q: this.#descriptor.id, n: this.#credit });
        this.#credit = 0;
      }
    }, IDLE_RELEASE_MS).unref();
  }

  #adaptPrefetch(now: number): void {
    if (this.#lastTakeAt > 0) this.#prefetch = nextPrefetchWindow(this.#prefetch, elapsedMs(this.#lastTakeAt, now), 1, 1, this.#maxPrefetch);
  }

  // A get gave up: requests beyond what the remaining gets need would pull items here that nobody
  // waits for, keeping them from other consumers.
  #cancelSurplusRequests(): void {
    const surplus = Math.min(this.#requested, this.#requested + this.#localSize() - this.#activeGets());
    if (surplus > 0 && !this.#gone) {
      this.#requested -= surplus;
      this.#client.connection.send({ t: 'unrequest', q: this.#descriptor.id, n: surplus });
    }
    this.#client.updateRef();
  }

  #activeGets(): number {
    let n = 0;
    for (const g of this.#pendingGets) if (g.active) n++;
    return n;
  }

  #askItems(extra: number, refill = false): void {
    if (this.#gone) return;
    const activeGets = this.#activeGets();
    const window = activeGets > 0 || refill ? this.#prefetch - 1 : 0;
    const want = activeGets + Math.max(extra, window) - this.#localSize() - this.#requested;
    if (want <= 0) return;
    this.#requested += want;
    this.#client.connection.send({ t: 'request', q: this.#descriptor.id, n: want });
  }

  #receive(items: T[]): void {
    let i = 0;
    while (i < items.length && this.#pendingGets.length > 0) {
      const waiter = this.#pendingGets.shift() as Waiter<T>;
      if (!waiter.active) continue;
      this.#countTake();
      waiter.settle(items[i++] as T);
    }
    // Keep a prefetch window for the gets to come; anything beyond it (a get that timed out or was
    // aborted while its item was on the way) goes back to the owner for other consumers. A window of 1
    // asks only for the gets waiting, so an item nobody waits for came for a get that gave up: it goes
    // back too, rather than sit here while another process waits for it.
    const spare = this.#prefetch > 1 ? this.#prefetch - this.#localSize() : 0;
    const keep = Math.min(items.length, i + Math.max(0, spare));
    for (; i < keep; i++) this.#local.push(items[i] as T);
    if (i < items.length) {
      // Each frame goes back to the head of the owner's queue: the last part first keeps their order.
      const parts = encodeItemBodies(items.slice(i));
      for (let k = parts.length - 1; k >= 0; k--) {
        const { count, body } = parts[k] as (typeof parts)[number];
        this.#client.connection.sendEncoded({ t: 'give-back', q: this.#descriptor.id, n: count }, body);
      }
    }
    if (this.#pendingGets.length > 0) this.#askItems(0);
  }

  #take(now?: number): T {
    const item = this.#local[this.#localHead] as T;
    this.#local[this.#localHead++] = undefined as T;
    if (this.#localHead === this.#local.length) {
      this.#local = [];
      this.#localHead = 0;
    }
    this.#countTake(now);
    return item;
  }

  #countTake(now?: number): void {
    this.#taken++;
    if (!this.#deferTook) this.#tookUnsent++;
    if (this.#adaptive) this.#lastTakeAt = now ?? Date.now();
    // Refill at half the window, before the buffer runs dry, so a fast consumer never waits a round trip.
    if (this.#prefetch > 1 && this.#local.length - this.#localHead + this.#requested < this.#prefetch / 2) this.#askItems(0, true);
    this.#client.scheduleFlush();
  }

  #localSize(): number {
    return this.#local.length - this.#localHead;
  }

  #goneError(): QueueClosedError {
    return new QueueClosedError(`The queue is no longer reachable: ${this.#gone}. A queue lives as long as the process that created it; keep that process alive (join its children) while others use the queue.`);
  }
}

/**
 * The credit a producer proxy asks for at a time, and so the largest batch it puts: half the queue,
 * so one producer cannot starve the others; all of it for a sole producer, which then asks half as
 * often.
 */
export function putWindow(maxsize: number, soleProducer: boolean): number {
  return Math.max(1, Math.min(MAX_PUT_WINDOW, soleProducer ? maxsize : Math.ceil(maxsize / 2)));
}

const RESOLVED = Promise.resolve();
const MAX_PUT_WINDOW = 512;
const IDLE_RELEASE_MS = 20;
// The longest a put waits in a busy process. Results of 2 ms tasks still leave a few at a time: at
// 1 ms each woke the parent on its own, and the pool benchmark lost 2-3 % (0.90-0.91x -> 0.93x).
export const PROMPT_FLUSH_MS = 10;
const NOTHING_HERE = 'No item has reached this process yet: getNowait() and get({ block: false }) in a process that did not create the queue see only items already delivered to it. Use `await get({ timeout })` to wait briefly.';
