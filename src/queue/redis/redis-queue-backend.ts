import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { QueueEmptyError } from '../../errors/queue-empty-error.js';
import { QueueFullError } from '../../errors/queue-full-error.js';
import { TaskDoneError } from '../../errors/task-done-error.js';
import { abortError } from '../../internal/abort.js';
import { registerFlushable } from '../../internal/flush-registry.js';
import { QUEUE_DESCRIPTOR_KEY, type RedisQueueDescriptor } from '../../internal/protocol.js';
import type { OutcomeStream, QueueBackend } from '../backend.js';
import { EMPTY } from '../local/queue-core.js';
import { noteHandoff, QueueLease } from '../local/queue-lease.js';
import { engineOptions, redis, settingsOf, type RedisBackend, type RedisBackendOptions, type RedisBackendSettings } from './redis.js';
import { openRedisQueue, type RedisQueue, type RedisQueueStats } from './redis-queue.js';
import { noteSecret, secretOf } from './shared-secrets.js';
import { RedisCredentialsMissingError } from './errors/redis-credentials-missing-error.js';
import type { PoisonItemError } from './errors/poison-item-error.js';
import { handBackOnSignals } from './shutdown-signals.js';

/**
 * A Queue's backend in Redis: the QueueBackend contract over the Redis engine (RedisQueue), the same
 * in the process that created the queue and in every process it was passed to. It connects as it is
 * made (the Redis client package is loaded then, and only then); the calls made meanwhile wait for
 * the connection, and fail with its typed error if it cannot be made.
 *
 * What must answer synchronously answers from what this process knows: getNowait() from the items
 * this process already holds, qsize()/full() from the last count Redis reported (refreshed in the
 * background), putNowait() from that count; each is approximate, as Python's are between processes.
 */
export class RedisQueueBackend<T> implements QueueBackend<T> {
  readonly maxsize: number;
  readonly #settings: RedisBackendSettings;
  readonly #joinable: boolean;
  // Names this queue's credentials in the boot payload of the children it is passed to.
  readonly #secretId: string;
  readonly #opening: Promise<RedisQueue<T>>;
  #queue: RedisQueue<T> | undefined;
  // The failure of a put nobody awaits (putNowait, a producer's offer): the next call here throws it.
  #failure: unknown;
  // Items accepted by putNowait()/offer() and not yet confirmed by Redis, and the last of those puts.
  #unconfirmed = 0;
  #lastPut: Promise<void> = Promise.resolve();
  // Puts callers await, until Redis confirms them.
  readonly #puts = new Set<Promise<void>>();
  // Items per entry a pipeline asked for before the connection was up.
  #entryLimit: number | undefined;
  // Hand-backs of children's items under way.
  readonly #releases = new Set<Promise<void>>();
  // Redis's count (items put and not taken, or in a JoinableQueue not done) as last known, whether
  // a read of it is out, and how many changes this process made to it (see #countLater).
  #alive = 0;
  #counting = false;
  #changes = 0;
  #closing: Promise<void> | undefined;
  // The library's own listener for items this process moves to the dead-letter stream (a pipeline's consumer).
  #deadLetterListener: ((error: PoisonItemError, item: T) => void) | undefined;

  constructor(backend: RedisBackend, maxsize: number, joinable: boolean, secretId: string = randomUUID()) {
    this.#settings = settingsOf(backend);
    this.#joinable = joinable;
    this.#secretId = secretId;
    // Python's unbounded queue (maxsize <= 0) and Infinity are the engine's 0.
    this.maxsize = maxsize > 0 && maxsize !== Infinity ? maxsize : 0;
    const { onDeadLetter } = this.#settings.options;
    this.#opening = openRedisQueue<T>({
      ...engineOptions(this.#settings, this.maxsize, joinable),
      onDeadLetter: (error: PoisonItemError, item: unknown) => {
        onDeadLetter?.(error);
        this.#deadLetterListener?.(error, item as T);
      },
    });
    this.#opening.then(
      (queue) => {
        this.#queue = queue;
        if (this.#entryLimit !== undefined) queue.limitEntries(this.#entryLimit);
        // On SIGTERM/SIGINT, the puts accepted here without a caller waiting are written before the
        // held items go back; awaited puts not confirmed yet are the caller's, and go with the process.
        if (!this.#closing) handBackOnSignals(queue, (signal, exiting) => (this.#closing ??= queue.closeOnSignal(signal, exiting, this.#lastPut)));
      },
      // Reported by the first call that needs the connection.
      () => {},
    );
    registerFlushable({ pending: () => this.#unconfirmed > 0 || this.#puts.size > 0, flush: () => this.#shutDown() });
  }

  /** The backend of a Redis queue another process passed here: connects with the credentials its parent sent. */
  static adopt<T>(descriptor: RedisQueueDescriptor): RedisQueueBackend<T> {
    const secret = secretOf(descriptor.secret);
    // Without them the connection (or every entry, with an authkey) would be refused later, for a reason the user cannot see.
    if (!secret) throw new RedisCredentialsMissingError(descriptor.name, descriptor.url);
    const options = { ...descriptor.options, name: descriptor.name, ...(secret.tls ? { tls: secret.tls } : {}) } as RedisBackendOptions;
    const backend = redis(secret.url, secret.authkey === undefined ? options : { ...options, authkey: secret.authkey });
    return new RedisQueueBackend<T>(backend, descriptor.maxsize, descriptor.joinable, descriptor.secret);
  }

  outcomeStream(): OutcomeStream {
    return {
      append: (values) => {
        // Written before this process's close of the queue goes on (see #shutDown): a consumer's
        // last outcomes, flushed on its way out beside that close.
        const append = (async () => (this.#queue ?? (await this.#opening)).appendOutcomes(values))();
        this.#puts.add(append);
        const forget = () => void this.#puts.delete(append);
        append.then(forget, forget);
        return append;
      },
      read: async (cursor, block) => (this.#queue ?? (await this.#opening)).readOutcomes(cursor, block),
      limitEntries: (n) => {
        this.#entryLimit = n;
        this.#queue?.limitEntries(n);
      },
    };
  }

  stats(): Readonly<RedisQueueStats> | undefined {
    return this.#queue?.stats;
  }

  /** Calls `listener` with each item this process moves to the dead-letter stream, and why. */
  onDeadLetter(listener: (error: PoisonItemError, item: T) => void): void {
    this.#deadLetterListener = listener;
  }

  put(item: T, block: boolean, timeout: number | null, signal?: AbortSignal): Promise<void> {
    this.#throwFailure();
    // A child exits only once its puts have reached Redis (see the flushable in the constructor).
    const put = this.#put(item, block, timeout, signal);
    this.#puts.add(put);
    const forget = () => void this.#puts.delete(put);
    put.then(forget, forget);
    return put;
  }

  async #put(item: T, block: boolean, timeout: number | null, signal: AbortSignal | undefined): Promise<void> {
    const queue = this.#queue ?? (await this.#opening);
    if (block && timeout === null) await queue.put(item, undefined, signal);
    else {
      try {
        await queue.put(item, block ? timeout ?? undefined : 0, signal);
      } catch (error) {
        // The local queue's words for a put that gave up after waiting.
        if (error instanceof QueueFullError && block && timeout !== null && timeout > 0) {
          throw new QueueFullError(this.maxsize, `The queue stayed full (maxsize ${this.maxsize}) for ${timeout} ms. Give put() a longer timeout, consume faster, or enlarge maxsize.`);
        }
        throw error;
      }
    }
    this.#counted(1);
  }

  putNowait(item: T): void {
    this.#throwFailure();
    if (this.maxsize > 0 && this.#alive + this.#unconfirmed >= this.maxsize) throw new QueueFullError(this.maxsize);
    this.#putLater(item);
  }

  offer(item: T): boolean {
    if (this.#failure !== undefined || !this.#queue) return false;
    // Unawaited puts are bounded by a few entries; beyond, the caller awaits put(). Redis holds the
    // bound itself (a put waits there for room): the count this process last saw would be stale as
    // soon as other processes take items, and refused every offer of a producer that filled the
    // queue once, each of its items then a put of its own.
    if (this.#unconfirmed >= (this.#settings.options.batchItems ?? BATCH_ITEMS) * OFFERED_ENTRIES) return false;
    this.#putLater(item);
    return true;
  }

  async get(block: boolean, timeout: number | null, signal?: AbortSignal): Promise<T> {
    this.#throwFailure();
    const queue = this.#queue ?? (await this.#opening);
    if (!signal) return queue.get(block ? timeout ?? undefined : 0).then(this.#took);
    // The engine notices the abort only between reads (each blocks at most a second): the caller is
    // answered at once, and what the engine's read brings stays held here for the next get.
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal, 'get() was aborted.'));
      signal.addEventListener('abort', onAbort, { once: true });
      queue.get(block ? timeout ?? undefined : 0, signal).then(
        (item) => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#took(item));
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  poll(): T | typeof EMPTY {
    if (!this.#queue || this.#closing) return EMPTY;
    const items = this.#queue.takeNow(1);
    return items.length === 0 ? EMPTY : this.#took(items[0] as T);
  }

  getNowait(): T {
    this.#throwFailure();
    const items = this.#queue?.takeNow(1) ?? [];
    if (items.length === 0) throw new QueueEmptyError();
    return this.#took(items[0] as T);
  }

  qsize(): number {
    this.#countLater();
    return this.#alive + this.#unconfirmed;
  }

  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  taskDone(): void {
    if (!this.#queue) throw new TaskDoneError(' (this process took no item from the queue yet)');
    this.#queue.taskDone(1);
    if (this.#joinable) this.#counted(-1);
  }

  async join(signal?: AbortSignal): Promise<void> {
    this.#throwFailure();
    const queue = this.#queue ?? (await this.#opening);
    await this.#lastPut;
    if (!signal) return queue.join();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal, 'join() was aborted.'));
      signal.addEventListener('abort', onAbort, { once: true });
      queue.join(signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  flushPuts(): Promise<void> {
    return this.#lastPut;
  }

  async drain(): Promise<void> {
    await this.#lastPut;
    await this.#queue?.flush();
    this.#throwFailure();
  }

  dispose(): void {
    void this.#shutDown();
  }

  close(): void {
    void this.#shutDown();
  }

  describe(joinable: boolean): RedisQueueDescriptor {
    const { address, options } = this.#settings;
    noteSecret(this.#secretId, {
      url: address.url,
      ...(options.authkey === undefined ? {} : { authkey: options.authkey }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
    const { authkey: _a, onRejected: _r, onDeadLetter: _d, tls: _t, name, ...plain } = options;
    // The child reads under a name chosen here: when it exits (killed too), this process hands back
    // what it held at once, instead of the heartbeat reaper after deadAfter.
    const consumer = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    noteHandoff(new QueueLease(() => this.#releaseLater(consumer)));
    return {
      [QUEUE_DESCRIPTOR_KEY]: true,
      kind: 'redis',
      url: address.public,
      name,
      maxsize: this.maxsize,
      joinable: joinable && this.#joinable,
      options: { ...(plain as Readonly<Record<string, number | string>>), consumer },
      secret: this.#secretId,
    };
  }

  // A child's hand-back started before this process closes the queue finishes first (a worker that
  // terminates its consumers, then closes): their items must not wait for the reaper.
  #releaseLater(consumer: string): void {
    if (this.#closing) return;
    const release = this.#releaseConsumer(consumer);
    this.#releases.add(release);
    void release.finally(() => this.#releases.delete(release));
  }

  // Hands back what consumer `consumer` (a child this queue was passed to, now gone) held.
  async #releaseConsumer(consumer: string): Promise<void> {
    try {
      const queue = this.#queue ?? (await this.#opening);
      await queue.releaseConsumer(consumer);
    } catch {
      // Closed here, or Redis unreachable: the heartbeat reaper takes them after deadAfter.
    }
  }

  // Puts `item` without a caller waiting: its failure is thrown by the next call.
  #putLater(item: T): void {
    this.#unconfirmed++;
    const put = (this.#queue ? this.#queue.put(item) : this.#opening.then((queue) => queue.put(item))).then(
      () => {
        this.#unconfirmed--;
        this.#counted(1);
      },
      (error: unknown) => {
        this.#unconfirmed--;
        this.#failure ??= error;
      },
    );
    this.#lastPut = this.#lastPut.then(() => put);
  }

  // What this process did to Redis's count, as it did it: qsize() answers at once from it.
  #counted(delta: number): void {
    this.#alive = Math.max(0, this.#alive + delta);
    this.#changes++;
  }

  // A get's item: in a plain queue it no longer counts once taken (in a joinable one, once done).
  readonly #took = (item: T): T => {
    if (!this.#joinable) this.#counted(-1);
    return item;
  };

  // Reads Redis's count (other processes' puts and gets) in the background, at most one read at a
  // time; a reading that crossed a change made here is older than what this process knows: dropped.
  #countLater(): void {
    if (this.#counting || !this.#queue || this.#closing) return;
    this.#counting = true;
    const changes = this.#changes;
    this.#queue.unfinished().then(
      (n) => {
        this.#counting = false;
        if (changes === this.#changes) this.#alive = n;
      },
      () => {
        this.#counting = false;
      },
    );
  }

  #throwFailure(): void {
    if (this.#failure === undefined) return;
    const failure = this.#failure;
    this.#failure = undefined;
    throw failure;
  }

  // Writes what is unconfirmed, then stops this process's use of the queue: done items acknowledged,
  // unfinished ones handed back at once, connections closed. The queue itself stays in Redis.
  #shutDown(): Promise<void> {
    this.#closing ??= (async () => {
      let queue: RedisQueue<T>;
      try {
        queue = await this.#opening;
      } catch {
        return;
      }
      await this.#lastPut;
      await Promise.allSettled(this.#puts);
      await Promise.allSettled(this.#releases);
      await queue.close();
    })();
    return this.#closing;
  }
}

// The engine's default entry size (RedisBackendOptions.batchItems).
const BATCH_ITEMS = 100;
// Entries' worth of items a producer may offer without awaiting (see offer()).
const OFFERED_ENTRIES = 4;
