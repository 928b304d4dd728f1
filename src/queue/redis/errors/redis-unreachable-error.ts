import { RedisBackendError } from './redis-backend-error.js';

/**
 * No connection to Redis could be made: nothing listens at the address, the name does not resolve, or
 * the connection timed out.
 *
 * @example
 * ```ts
 * const q = new Queue<string>(0, { backend: redis('redis://127.0.0.1:1', { name: 'jobs' }) });
 * await q.get().catch((err) => {
 *   if (err instanceof RedisUnreachableError) console.error(err.redisCode); // ECONNREFUSED
 * });
 * q.close();
 * ```
 */
export class RedisUnreachableError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_UNREACHABLE' as const;

  constructor(server: string, code: string, reason: string, options?: ErrorOptions) {
    super(
      server,
      code,
      `Redis at ${server} is unreachable (${reason}). Start redis-server there, or fix the host and port of the URL; ` +
        'a local test server: `apt-get install -y redis-server && redis-server --bind 127.0.0.1`.',
      options,
    );
  }
}
