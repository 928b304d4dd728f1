import { TaskDoneError } from '../../errors/task-done-error.js';
import { EncodedBatch, retainable, type Entry } from './encoded-batch.js';
import { decodeItems, encodedItemCount, encodeItemBodies, type Body } from '../wire/frame-codec.js';
import { ProtocolError } from '../wire/protocol-error.js';
import type { QueueCore } from './queue-core.js';
import type { QueueConnection } from '../wire/queue-connection.js';
import type { QueueWireMessage } from '../../internal/protocol.js';
import { logEvent } from '../../process/logger.js';

/** One frame's worth of items sent to a proxy: a batch forwarded as it came, or items put in this process. */
type Sent<T> = EncodedBatch<T> | T[];

/** What the owner knows of one remote proxy of one queue. */
interface ProxyState<T> {
  /** Slots promised to this proxy and not yet filled. */
  credit: number;
  /** Slots it asked for that were not free yet. */
  wantsCredit: number;
  /** Items it asked for that were not sent yet. */
  requested: number;
  /**
   * What it was sent and has not finished with, frame by frame, oldest first: the items its user code
   * took and has not marked done (when the queue redelivers), then those it has not taken. All of it
   * goes back to the queue if it dies.
   */
  readonly held: Sent<T>[];
  /** Items of held[0] already finished with (done, or taken when the queue does not redeliver). */
  heldHead: number;
  /** Items in `held` beyond heldHead. */
  heldCount: number;
  /** The first `taken` of them were taken by its user code, and not marked done. */
  taken: number;
  /** Order in which its oldest taken item was taken, among every proxy's (see #localTaskDone). */
  takenTurn: number;
  /** Its joins not answered yet, by id, each with the queue's join promise it waits for. */
  readonly joins: Map<number, Promise<void>>;
  /** The join promise a reaction already watches for it. */
  watched: Promise<void> | undefined;
}

/**
 * The owner side of one queue's remote traffic: grants credit out of free capacity, sends items to
 * proxies that asked, counts taskDone and answers joins. The buffer and every count stay in the
 * queue's QueueCore, so local and remote use share one truth.
 */
export class QueueOwner<T> {
  readonly #core: QueueCore<T>;
  readonly #proxies = new Map<QueueConnection, ProxyState<T>>();
  #drainScheduled = false;
  #rotation = 0;
  #creditTurn = 0;
  #turnGranted = 0;

  readonly #onOutcomes: ((outcomes: unknown[]) => void) | undefined;
  readonly #redeliver: boolean;
  // Items proxies took and have not marked done, all together; and how many takes were counted.
  #takenTotal = 0;
  #takes = 0;
  #redelivered = 0;

  /**
   * `onOutcomes` takes what proxies report along with the items they took (a direct pipeline's
   * consumers). `redeliver` (a JoinableQueue's default): items a proxy took are kept until it marks
   * them done, and go back to the head of the queue if its process dies before.
   */
  constructor(
    readonly id: string,
    core: QueueCore<T>,
    onOutcomes?: (outcomes: unknown[]) => void,
    redeliver = false,
  ) {
    this.#core = core;
    this.#onOutcomes = onOutcomes;
    this.#redeliver = redeliver;
  }

  /** Items that dead processes had taken and not marked done, put back so far. */
  get redelivered(): number {
    return this.#redelivered;
  }

  handle(connection: QueueConnection, message: QueueWireMessage, body: Body | undefined): void {
    const proxy = this.#proxyOf(connection);
    // A peer's counts are checked against what this connection was granted and sent: a count it
    // cannot back would move the queue's size or unfinished count by items that do not exist.
    switch (message.t) {
      case 'put':
        if (message.n > proxy.credit) throw new ProtocolError(`${message.n} items put with credit for ${proxy.credit}`);
        checkBatch(body, message.n);
        proxy.credit -= message.n;
        this.#core.acceptEncoded(new EncodedBatch<T>(retainable(body as Body), message.n));
        break;
      case 'want-credit':
        proxy.wantsCredit = Math.min(MAX_WANTED, proxy.wantsCredit + message.n);
        break;
      case 'release':
        if (message.n > proxy.credit) throw new ProtocolError(`${message.n} slots of credit released, ${proxy.credit} held`);
        proxy.credit -= message.n;
        this.#core.release(message.n);
        break;
      case 'request':
        proxy.requested = Math.min(MAX_WANTED, proxy.requested + message.n);
        break;
      case 'unrequest':
        proxy.requested = Math.max(0, proxy.requested - message.n);
        break;
      case 'took':
        if (message.n > proxy.heldCount - proxy.taken) throw new ProtocolError(`${message.n} items taken, ${proxy.heldCount - proxy.taken} sent`);
        if (this.#redeliver) {
          if (proxy.taken === 0) proxy.takenTurn = ++this.#takes;
          proxy.taken += message.n;
          this.#takenTotal += message.n;
        } else dropFront(proxy, message.n);
        if (body && this.#onOutcomes) this.#onOutcomes(decodeItems(body));
        break;
      case 'give-back':
        if (message.n > proxy.heldCount - proxy.taken) throw new ProtocolError(`${message.n} items given back, ${proxy.heldCount - proxy.taken} sent`);
        checkBatch(body, message.n);
        unconsumeTail(proxy, message.n);
        this.#core.putBack([new EncodedBatch<T>(retainable(body as Body), message.n)]);
        break;
      case 'done':
        try {
          this.#core.taskDone(message.n);
        } catch (error) {
          if (!(error instanceof TaskDoneError)) throw error;
          connection.send({ t: 'fail', q: this.id, name: error.name, message: error.message });
          break;
        }
        // Its oldest taken items are done (a proxy marks no more than it took: beyond that, a
        // faulty peer's count comes off the global count only).
        this.#finishTaken(proxy, Math.min(message.n, proxy.taken));
        break;
      case 'join':
        this.#join(connection, proxy, message.id);
        break;
      case 'unjoin':
        proxy.joins.delete(message.id);
        break;
      case 'credit':
      case 'items':
      case 'joined':
      case 'fail':
        throw new ProtocolError(`a ${message.t} message, which only an owner sends`);
      default:
        message satisfies never;
    }
    this.scheduleDrain();
  }

  /** A proxy's process is gone: its unused credit frees up and the items it never took go back to the head. */
  disconnect(connection: QueueConnection): void {
    const proxy = this.#proxies.get(connection);
    if (!proxy) return;
    this.#proxies.delete(connection);
    if (proxy.credit > 0) this.#core.release(proxy.credit);
    const returned: Entry<T>[] = [];
    proxy.held.forEach((sent, i) => {
      if (i === 0 && proxy.heldHead > 0) returned.push(...itemsOf(sent).slice(proxy.heldHead));
      else if (sent instanceof EncodedBatch) returned.push(sent);
      else returned.push(...sent);
    });
    // Items its user code got and did not mark done go back too, first (they were the oldest): a
    // join() would otherwise wait for them forever. They may have been handled, their taskDone()
    // lost with the process: at-least-once, as any redelivery.
    if (proxy.taken > 0) {
      this.#takenTotal -= proxy.taken;
      this.#redelivered += proxy.taken;
      logEvent(
        'warning',
        'a process holding queue %s died with %d item(s) it got and had not marked done: they go back to the head of the queue (%d so far)',
        this.id,
        proxy.taken,
        this.#redelivered,
      );
    }
    this.#core.putBack(returned);
    this.scheduleDrain();
  }

  /**
   * taskDone() in this process, before the queue counts it. It marks done an item this process got
   * if it holds one (the unfinished items not in the buffer nor with a proxy); otherwise, as Python
   * lets any process call task_done(), the oldest item some proxy took (the owner collecting results
   * and marking them done for its workers), so that item is not redelivered should that proxy die.
   */
  localTaskDone(): void {
    if (this.#takenTotal === 0) return;
    let held = 0;
    let oldest: ProxyState<T> | undefined;
    for (const proxy of this.#proxies.values()) {
      held += proxy.heldCount;
      if (proxy.taken > 0 && (!oldest || proxy.takenTurn < oldest.takenTurn)) oldest = proxy;
    }
    if (this.#core.unfinished - this.#core.size - held > 0 || !oldest) return;
    this.#finishTaken(oldest, 1);
  }

  // Joins made while the count is not zero share the queue's one join promise: it is watched once per
  // proxy, however many joins wait on it (or were given up meanwhile).
  #join(connection: QueueConnection, proxy: ProxyState<T>, id: number): void {
    if (proxy.joins.size >= MAX_JOINS) throw new ProtocolError(`more than ${MAX_JOINS} joins waiting`);
    const joined = this.#core.join();
    proxy.joins.set(id, joined);
    if (proxy.watched === joined) return;
    proxy.watched = joined;
    void joined.then(() => {
      if (proxy.watched === joined) proxy.watched = undefined;
      for (const [waiting, on] of proxy.joins) {
        if (on !== joined) continue;
        proxy.joins.delete(waiting);
        connection.send({ t: 'joined', q: this.id, id: waiting });
      }
    });
  }

  #finishTaken(proxy: ProxyState<T>, n: number): void {
    if (n === 0) return;
    dropFront(proxy, n);
    proxy.taken -= n;
    this.#takenTotal -= n;
    if (proxy.taken > 0) proxy.takenTurn = ++this.#takes;
  }

  /** Hands out credit and items once per turn, so everything freed or arrived in a turn goes in one batch. */
  scheduleDrain(): void {
    if (this.#drainScheduled || this.#proxies.size === 0) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    // Sending items frees slots, which may let credit through, whose puts bring items: loop to a fixpoint.
    for (let progress = true; progress; ) {
      progress = this.#grantCredit() + this.#shareItems() > 0;
    }
  }

  // Round robin with a quantum: the producer whose turn it is gets up to half the queue, then the
  // next one that asked. Served in connection order, a steady producer, which asks again at half its
  // window, took every slot that freed up while the others waited (one of three bakers put nothing
  // in the first half of a run); served a few slots each in turn, all of them put small batches.
  #grantCredit(): number {
    const proxies = [...this.#proxies];
    const quantum = Math.max(1, Math.ceil(this.#core.maxsize / 2));
    let total = 0;
    for (;;) {
      const turn = this.#nextAsking(proxies);
      if (turn < 0) return total;
      const [connection, proxy] = proxies[turn] as [QueueConnection, ProxyState<T>];
      const granted = this.#core.reserve(Math.min(proxy.wantsCredit, quantum - this.#turnGranted));
      if (granted === 0) return total;
      proxy.wantsCredit -= granted;
      proxy.credit += granted;
      total += granted;
      this.#turnGranted += granted;
      connection.send({ t: 'credit', q: this.id, n: granted, size: this.#core.size });
      if (proxy.wantsCredit === 0 || this.#turnGranted >= quantum) {
        this.#creditTurn = turn + 1;
        this.#turnGranted = 0;
      }
    }
  }

  // The proxy whose turn it is, or the next one after it that wants credit (its turn starts then).
  #nextAsking(proxies: readonly [QueueConnection, ProxyState<T>][]): number {
    for (let i = 0; i < proxies.length; i++) {
      const turn = (this.#creditTurn + i) % proxies.length;
      if ((proxies[turn] as [QueueConnection, ProxyState<T>])[1].wantsCredit === 0) continue;
      if (i > 0) {
        this.#creditTurn = turn;
        this.#turnGranted = 0;
      }
      return turn;
    }
    return -1;
  }

  // Items are shared fairly among the proxies that asked, starting from a rotating position, so a
  // trickle of single items alternates between consumers instead of always feeding the first.
  #shareItems(): number {
    const waiting = [...this.#proxies].filter(([, proxy]) => proxy.requested > 0);
    if (waiting.length === 0 || this.#core.size === 0) return 0;
    const share = Math.ceil(this.#core.size / waiting.length);
    let total = 0;
    for (let i = 0; i < waiting.length && this.#core.size > 0; i++) {
      const [connection, proxy] = waiting[(i + this.#rotation) % waiting.length] as [QueueConnection, ProxyState<T>];
      const entries = this.#core.pollMany(share, proxy.requested);
      // Encoded batches leave as they came; items put in this process go together in one frame.
      let items: T[] = [];
      for (const entry of entries) {
        if (!(entry instanceof EncodedBatch)) {
          items.push(entry);
          continue;
        }
        if (items.length > 0) total += this.#send(connection, proxy, items);
        items = [];
        total += this.#send(connection, proxy, entry);
      }
      if (items.length > 0) total += this.#send(connection, proxy, items);
    }
    this.#rotation++;
    return total;
  }

  #send(connection: QueueConnection, proxy: ProxyState<T>, sent: Sent<T>): number {
    const n = sizeOf(sent);
    proxy.requested -= n;
    const size = this.#core.size;
    proxy.heldCount += n;
    if (sent instanceof EncodedBatch) {
      proxy.held.push(sent);
      connection.sendEncoded({ t: 'items', q: this.id, n, size }, sent.body);
      return n;
    }
    // Items put in this process leave as one frame, or as several if too large for one: each is
    // tracked as sent on its own, as the proxy will take them.
    let from = 0;
    for (const { count, body } of encodeItemBodies(sent)) {
      proxy.held.push(count === n ? sent : sent.slice(from, from + count));
      connection.sendEncoded({ t: 'items', q: this.id, n: count, size }, body);
      from += count;
    }
    return n;
  }

  #proxyOf(connection: QueueConnection): ProxyState<T> {
    let proxy = this.#proxies.get(connection);
    if (!proxy) {
      proxy = { credit: 0, wantsCredit: 0, requested: 0, held: [], heldHead: 0, heldCount: 0, taken: 0, takenTurn: 0, joins: new Map(), watched: undefined };
      this.#proxies.set(connection, proxy);
    }
    return proxy;
  }
}

// A put or give-back must carry a batch of exactly the items it counts (read from the batch's first
// bytes; it is forwarded undecoded).
function checkBatch(body: Body | undefined, n: number): void {
  const count = body ? encodedItemCount(body) : undefined;
  if (count !== n) throw new ProtocolError(`a batch said to hold ${n} items holds ${count === undefined ? 'no array' : count}`);
}

function sizeOf<T>(sent: Sent<T>): number {
  return sent instanceof EncodedBatch ? sent.count : sent.length;
}

function itemsOf<T>(sent: Sent<T>): T[] {
  return sent instanceof EncodedBatch ? sent.decode() : sent;
}

// Drops the `n` oldest items a proxy holds (finished with).
function dropFront<T>(proxy: ProxyState<T>, n: number): void {
  proxy.heldCount -= n;
  let left = n;
  while (left > 0 && proxy.held.length > 0) {
    const available = sizeOf(proxy.held[0] as Sent<T>) - proxy.heldHead;
    if (left < available) {
      proxy.heldHead += left;
      return;
    }
    left -= available;
    proxy.held.shift();
    proxy.heldHead = 0;
  }
}

// Drops the last `n` items sent to a proxy (it gave them back unused). A batch cut in two is
// decoded: that happens only when a get gave up while items were on their way.
function unconsumeTail<T>(proxy: ProxyState<T>, n: number): void {
  proxy.heldCount -= n;
  let left = n;
  while (left > 0 && proxy.held.length > 0) {
    const last = proxy.held.length - 1;
    const sent = proxy.held[last] as Sent<T>;
    const available = sizeOf(sent) - (last === 0 ? proxy.heldHead : 0);
    if (left < available) {
      const kept = itemsOf(sent);
      kept.length -= left;
      proxy.held[last] = kept;
      return;
    }
    left -= available;
    proxy.held.pop();
    if (proxy.held.length === 0) proxy.heldHead = 0;
  }
}

// Requests and credit wanted are only numbers, but they stay within what a queue could ever hold.
const MAX_WANTED = 2 ** 31;
const MAX_JOINS = 65_536;
