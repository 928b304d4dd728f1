import { RedisBackendError } from './redis-backend-error.js';

/**
 * Redis refused the credentials: a wrong user or password (`WRONGPASS`), or none given to a server
 * that requires one (`NOAUTH`).
 */
export class RedisAuthError extends RedisBackendError {
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
