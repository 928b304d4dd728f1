import { RedisBackendError } from './redis-backend-error.js';

/**
 * Redis reached its `maxmemory` and refused a write (`OOM`): nothing was added.
 *
 * @example
 * ```ts
 * const q = new Queue<string>(0, { backend: redis('redis://127.0.0.1:6379', { name: 'big' }) });
 * await q.put('x'.repeat(1e6)).catch((err) => {
 *   if (err instanceof RedisOutOfMemoryError) console.error('Redis maxmemory reached: use a smaller maxsize');
 * });
 * q.close();
 * ```
 */
export class RedisOutOfMemoryError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_OUT_OF_MEMORY' as const;

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
