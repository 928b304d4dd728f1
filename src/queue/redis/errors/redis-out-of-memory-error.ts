import { RedisBackendError } from './redis-backend-error.js';

/**
 * Redis reached its `maxmemory` and refused a write (`OOM`): nothing was added.
 */
export class RedisOutOfMemoryError extends RedisBackendError {
  constructor(server: string, options?: ErrorOptions) {
    super(
      server,
      'OOM',
      `Redis at ${server} is out of memory (its maxmemory is reached) and refused the write. Give the queue a ` +
        'smaller maxsize so that what it holds fits, raise maxmemory, or free memory on that server.',
      options,
    );
  }
}
