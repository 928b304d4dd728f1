import type { QueueDescriptor } from '../internal/protocol.js';
import type { EMPTY } from './local/queue-core.js';
import type { PoisonItemError } from './redis/errors/poison-item-error.js';
import type { RedisQueueStats } from './redis/redis-queue-options.js';

/**
 * What a Queue does, wherever its buffer lives: in this process (LocalQueue, the owner) or in
 * another (QueueProxy). Arguments arrive validated; timeouts are normalised milliseconds.
 */
export interface QueueBackend<T> {
  readonly maxsize: number;
  /** `signal` is not aborted yet; when it aborts, the put rejects with an AbortError and its item is not put. */
  put(item: T, block: boolean, timeout: number | null, signal?: AbortSignal): Promise<void>;
  putNowait(item: T): void;
  /** Accepts `item` if it can without waiting, as put() would; false (nothing asked, nothing thrown) otherwise. */
  offer(item: T): boolean;
  /** `signal` is not aborted yet; when it aborts, the get rejects with an AbortError and takes no item. */
  get(block: boolean, timeout: number | null, signal?: AbortSignal): Promise<T>;
  /** Takes an item if one is here now, as getNowait() would; EMPTY (nothing thrown) otherwise. */
  poll(): T | typeof EMPTY;
  getNowait(): T;
  qsize(): number;
  full(): boolean;
  taskDone(): void;
  join(signal?: AbortSignal): Promise<void>;
  /** Settles once every put made here was accepted and written to the owner (proxies only). */
  flushPuts?(): Promise<void>;
  /** Settles once every put made here was accepted and has left this process (proxies only; disposal). */
  drain?(): Promise<void>;
  /** From now on, items taken here count as taken only once acknowledged, with their outcome, by the returned function (proxies only). */
  deferTook?(): (n: number, outcome: unknown, now: boolean) => void;
  /** The queue's outcome stream, for a pipeline on Redis (see RedisQueue.appendOutcomes). */
  outcomeStream?(): OutcomeStream;
  /** What this process saw of the queue (Redis only). */
  stats?(): Readonly<RedisQueueStats> | undefined;
  /** Calls `listener` with each item this process moves to a dead-letter stream (Redis only). */
  onDeadLetter?(listener: (error: PoisonItemError, item: T) => void): void;
  /** Lets go of what serves the queue to other processes (its owner registration). */
  dispose?(): void;
  /** The handle in this process was closed: it no longer keeps the queue served (owner only). */
  close?(): void;
  /** How to reach this queue from another process; `handle` is the user's object, watched until it is collected (owner only). */
  describe(joinable: boolean, handle: object): QueueDescriptor;
}

/** A Redis pipeline's outcome stream: consumers append their reports, the pipeline's process reads them. */
export interface OutcomeStream {
  append(values: readonly unknown[]): Promise<void>;
  /** Items put from now on travel in entries of at most `n` (a consumer holds an entry whole). */
  limitEntries(n: number): void;
  read(cursor: string, block: number): Promise<{ cursor: string; values: unknown[] }>;
}
