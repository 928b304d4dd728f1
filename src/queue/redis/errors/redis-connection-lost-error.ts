import { RedisBackendError } from './redis-backend-error.js';

/**
 * The connection to Redis broke and did not come back within `reconnectTimeout` ms: the queue is
 * closed in this process (later calls throw QueueClosedError with this error as its cause).
 */
export class RedisConnectionLostError extends RedisBackendError {
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
