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
  if (choice === undefined || choice === 'auto') {
    const url = process.env[REDIS_URL_VARIABLE];
    if (!url) return new LocalQueue<T>(maxsize);
    return new RedisQueueBackend<T>(redis(url, { name: `auto-${randomUUID()}` }), maxsize, joinable);
  }
  if (choice === 'local') return new LocalQueue<T>(maxsize);
  if (choice instanceof RedisBackend) return new RedisQueueBackend<T>(choice, maxsize, joinable);
  throw new TypeError(
    `Expected \`backend\` of ${className} to be 'auto', 'local' or redis(url, { name }), got \`${showValue(choice)}\` (${choice === null ? 'null' : typeof choice}).`,
  );
}

/** Names the Redis server that queues naming no backend use: code runs on Redis by setting it, unchanged. */
export const REDIS_URL_VARIABLE = 'RXMP_REDIS_URL';
