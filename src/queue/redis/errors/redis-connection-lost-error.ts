import { RedisBackendError } from './redis-backend-error.js';

/**
 * The connection to Redis broke and did not come back within `reconnectTimeout` ms: the queue is
 * closed in this process (later calls throw QueueClosedError with this error as its cause).
 *
 * @example
 * ```ts
 * const backend = redis('redis://127.0.0.1:6379', { name: 'jobs', reconnectTimeout: 2000 });
 * const q = new Queue<string>(0, { backend });
 * // redis-server stops for longer than 2 s:
 * await q.get().catch((err) => {
 *   if (err instanceof QueueClosedError && err.cause instanceof RedisConnectionLostError) console.error(err.cause.message);
 * });
 * q.close();
 * ```
 */
export class RedisConnectionLostError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_CONNECTION_LOST' as const;

  /** The `reconnectTimeout` (ms) the connection stayed lost for. */
  readonly reconnectTimeout: number;

  constructor(server: string, reconnectTimeout: number, options?: ErrorOptions) {
    super(
      server,
      'CONNECTION_LOST',
      `The connection to Redis at ${server} was lost and not re-established within ${reconnectTimeout} ms. ` +
        'Check that redis-server is running and reachable, or raise `reconnectTimeout` to ride out longer outages.',
      options,
    );
    this.reconnectTimeout = reconnectTimeout;
  }
}
