import { MultiprocessingError } from '../../../errors/multiprocessing-error.js';

/**
 * The `code` of each Redis error class, as its literal: a `switch` on it narrows.
 *
 * @example
 * ```ts
 * function advice(code: RedisErrorCode): string {
 *   switch (code) {
 *     case 'ERR_REDIS_AUTH': return 'check the password in the URL';
 *     case 'ERR_REDIS_UNREACHABLE': return 'start redis-server';
 *     default: return 'see the message';
 *   }
 * }
 * ```
 */
export type RedisErrorCode =
  | 'ERR_REDIS'
  | 'ERR_REDIS_AUTH'
  | 'ERR_REDIS_UNREACHABLE'
  | 'ERR_REDIS_TLS'
  | 'ERR_REDIS_PERMISSION'
  | 'ERR_REDIS_OUT_OF_MEMORY'
  | 'ERR_REDIS_CONNECTION_LOST'
  | 'ERR_REDIS_PIPELINE_BUSY';

/**
 * Redis refused or failed a queue operation. `server` is the Redis URL with its password replaced by
 * `***`, `redisCode` the Redis error prefix (`NOPERM`, `OOM`, …) or the socket's errno
 * (`ECONNREFUSED`), and the message says what to change. Subclasses name the common causes.
 *
 * @example
 * ```ts
 * const q = new Queue<number>(0, { backend: redis('redis://127.0.0.1:6379', { name: 'jobs' }) });
 * try {
 *   await q.put(1);
 * } catch (err) {
 *   if (err instanceof RedisBackendError) console.error(err.code, err.redisCode, err.server); // never the password
 * }
 * q.close();
 * ```
 */
export class RedisBackendError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code: RedisErrorCode = 'ERR_REDIS';
  /** The server's URL, password redacted. */
  readonly server: string;
  /** The Redis error prefix or the socket errno, e.g. `NOPERM`, `ECONNREFUSED`. */
  readonly redisCode: string;

  constructor(server: string, redisCode: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.server = server;
    this.redisCode = redisCode;
  }
}
