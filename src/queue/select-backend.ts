import { randomUUID } from 'node:crypto';
import { showValue } from '../internal/show-value.js';
import type { QueueBackend } from './backend.js';
import { LocalQueue } from './local/local-queue.js';
import { redis, RedisBackend } from './redis/redis.js';
import { RedisQueueBackend } from './redis/redis-queue-backend.js';

/**
 * Where a queue lives: `'local'` (served by the process that creates it, over Unix sockets), a
 * {@link redis} backend, or `'auto'` (the default): Redis when the environment variable
 * `RXMP_REDIS_URL` is set (each queue then gets a fresh name on that server), local otherwise.
 *
 * @example
 * ```ts
 * const where: QueueBackendOption = process.env.REDIS_URL ? redis(process.env.REDIS_URL, { name: 'jobs' }) : 'local';
 * const q = new JoinableQueue<string>(100, { backend: where });
 * q.close();
 * ```
 */
export type QueueBackendOption = 'auto' | 'local' | RedisBackend;

/** The backend a new queue gets for the `backend` option `choice` (validated here: TypeError naming it). */
export function createBackend<T>(choice: unknown, maxsize: number, joinable: boolean, className: string): QueueBackend<T> {
  validateBackendOption(choice, className);
  const backend = redisBackendFor(choice);
  return backend ? new RedisQueueBackend<T>(backend, maxsize, joinable) : new LocalQueue<T>(maxsize);
}

/** Throws a TypeError naming `owner` unless `choice` is a `backend` option (undefined included). */
export function validateBackendOption(choice: unknown, owner: string): asserts choice is QueueBackendOption | undefined {
  if (choice === undefined || choice === 'auto' || choice === 'local' || choice instanceof RedisBackend) return;
  throw new TypeError(
    `Expected \`backend\` of ${owner} to be 'auto', 'local' or redis(url, { name }), got \`${showValue(choice)}\` (${choice === null ? 'null' : typeof choice}).`,
  );
}

/** The Redis backend a valid `backend` option stands for now, if any: 'auto' reads the environment each time, a fresh name each time. */
export function redisBackendFor(choice: QueueBackendOption | undefined): RedisBackend | undefined {
  if (choice instanceof RedisBackend) return choice;
  if (choice === 'local') return undefined;
  const url = process.env[REDIS_URL_VARIABLE];
  return url ? redis(url, { name: `auto-${randomUUID()}` }) : undefined;
}

/** Names the Redis server that queues naming no backend use: code runs on Redis by setting it, unchanged. */
export const REDIS_URL_VARIABLE = 'RXMP_REDIS_URL';
