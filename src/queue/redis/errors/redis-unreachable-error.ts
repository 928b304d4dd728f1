import { RedisBackendError } from './redis-backend-error.js';

/**
 * No connection to Redis could be made: nothing listens at the address, the name does not resolve, or
 * the connection timed out.
 */
export class RedisUnreachableError extends RedisBackendError {
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
