import { RedisBackendError } from './redis-backend-error.js';

/**
 * Redis refused the credentials: a wrong user or password (`WRONGPASS`), or none given to a server
 * that requires one (`NOAUTH`).
 *
 * @example
 * ```ts
 * const q = new JoinableQueue<string>(0, { backend: redis('redis://app:wrong@127.0.0.1:6379', { name: 'jobs' }) });
 * await q.put('x').catch((err) => {
 *   if (err instanceof RedisAuthError) console.error(err.redisCode, err.message); // WRONGPASS, the URL shown as app:***@
 * });
 * q.close();
 * ```
 */
export class RedisAuthError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_AUTH' as const;

  constructor(server: string, code: string, options?: ErrorOptions) {
    super(
      server,
      code,
      code === 'NOAUTH'
        ? `Redis at ${server} requires a password and none was given. Put it in the URL: redis://USER:PASSWORD@host:port.`
        : `Redis at ${server} refused the user or password (${code}). Check the credentials in the URL ` +
            '(redis://USER:PASSWORD@host:port) and that the ACL user is `on`.',
      options,
    );
  }
}
