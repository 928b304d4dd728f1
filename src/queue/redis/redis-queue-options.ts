import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntrySignatureError } from './errors/entry-signature-error.js';
import type { PoisonItemError } from './errors/poison-item-error.js';
import type { RedisBackendOptions } from './redis.js';

/**
 * How to open a queue on Redis: the public options of {@link RedisBackendOptions} (documented there),
 * plus what the Queue using the backend and the engine's own tests decide. Durations in milliseconds.
 */
export interface RedisQueueOptions extends Omit<RedisBackendOptions, 'onDeadLetter'> {
  /** As the backend's, and also given the item itself (the library's own pipelines report its outcome). */
  readonly onDeadLetter?: ((error: PoisonItemError, item: unknown) => void) | undefined;
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). */
  readonly url: string;
  /**
   * At most this many items in Redis: put, and not yet done (taskDone; taken, for a plain queue).
   * `put` waits while it is reached. 0 = unbounded. Counts more than Python's maxsize (items taken
   * but not done count too), because that is what occupies Redis.
   */
  readonly maxsize?: number;
  /** JoinableQueue semantics (items count until taskDone) — the default; false: until taken. */
  readonly joinable?: boolean;
  /** Entries pending this long for any consumer are taken over whoever held them (5 min): the net under the heartbeat. */
  readonly autoclaimIdle?: number;
  /** Entries one read takes at most (its window; 1). */
  readonly window?: number;
  /** This process's consumer name (default `<host>:<pid>:<random>`). */
  readonly consumer?: string;
}

/** Counters of what this process saw. */
export interface RedisQueueStats {
  /** Entries dropped for their signature. */
  rejected: number;
  /** Items moved to the dead-letter stream. */
  deadLettered: number;
  /** Entries taken over from dead consumers. */
  reclaimed: number;
  /** Items this process finished that another had already settled (reclaimed twice). */
  duplicatesDropped: number;
}

/** The options, validated and defaulted. */
export interface Settings {
  readonly name: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly authkey: Buffer | undefined;
  readonly onRejected: ((error: EntrySignatureError) => void) | undefined;
  readonly maxDeliveries: number;
  /** Also given the item itself (the library's own pipelines report its outcome). */
  readonly onDeadLetter: ((error: PoisonItemError, item: unknown) => void) | undefined;
  readonly reconnectTimeout: number;
  readonly deadAfter: number;
  readonly heartbeat: number;
  readonly autoclaimIdle: number;
  readonly keyTtl: number;
  readonly batchItems: number;
  readonly window: number;
  readonly consumer: string;
}

/** Validates `options` eagerly (TypeError naming the option) and fills in the defaults. */
export function resolveOptions(options: RedisQueueOptions): Settings {
  const positive = (name: string, value: number | undefined, fallback: number, allowZero = false): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      throw new TypeError(`Expected \`${name}\` to be a ${allowZero ? 'non-negative' : 'positive'} integer, got \`${String(value)}\` (${typeof value})`);
    }
    return value;
  };
  return {
    name: options.name,
    maxsize: positive('maxsize', options.maxsize, 0, true),
    joinable: options.joinable ?? true,
    authkey: options.authkey === undefined ? undefined : Buffer.from(options.authkey),
    onRejected: options.onRejected,
    maxDeliveries: positive('maxDeliveries', options.maxDeliveries, 3),
    onDeadLetter: options.onDeadLetter,
    reconnectTimeout: positive('reconnectTimeout', options.reconnectTimeout, 10_000, true),
    deadAfter: positive('deadAfter', options.deadAfter, 5_000),
    heartbeat: positive('heartbeat', options.heartbeat, 1_000),
    autoclaimIdle: positive('autoclaimIdle', options.autoclaimIdle, 300_000),
    keyTtl: positive('keyTtl', options.keyTtl, 3_600_000),
    batchItems: positive('batchItems', options.batchItems, 100),
    window: positive('window', options.window, 1),
    consumer: options.consumer ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
  };
}
