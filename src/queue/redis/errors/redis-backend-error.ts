import { MultiprocessingError } from '../../../errors/multiprocessing-error.js';

/**
 * Redis refused or failed a queue operation. `server` is the Redis URL with its password replaced by
 * `***`, `code` the Redis error prefix (`NOPERM`, `OOM`, …) or the socket's errno (`ECONNREFUSED`),
 * and the message says what to change. Subclasses name the common causes.
 */
export class RedisBackendError extends MultiprocessingError {
  /** The server's URL, password redacted. */
  readonly server: string;
  /** The Redis error prefix or the socket errno, e.g. `NOPERM`, `ECONNREFUSED`. */
  readonly code: string;

  constructor(server: string, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.server = server;
    this.code = code;
  }
}
