import { RedisBackendError } from './redis-backend-error.js';

/**
 * The ACL user may not run a command or touch a key the queue needs (`NOPERM`).
 *
 * @example
 * ```ts
 * // The user `app` lacks `~rxmp:*` (ACL SETUSER app on >pw ~other:* +@all):
 * const q = new Queue<number>(0, { backend: redis('redis://app:pw@127.0.0.1:6379', { name: 'jobs' }) });
 * await q.put(1).catch((err) => {
 *   if (err instanceof RedisPermissionError) console.error(err.detail); // what the ACL lacks
 * });
 * q.close();
 * ```
 */
export class RedisPermissionError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_PERMISSION' as const;

  /** What Redis said the user lacks, e.g. `this user has no permissions to run the 'xadd' command`. */
  readonly detail: string;

  constructor(server: string, detail: string, options?: ErrorOptions) {
    super(
      server,
      'NOPERM',
      `Redis at ${server} refused a queue command: ${detail.replace(/\.+$/, '')}. The queue's ACL user needs the keys ` +
        '`~rxmp:*` and the commands `+@stream +@hash +@string +@sortedset +@scripting +@connection +info +unlink +pexpire ' +
        '+exists +type +time +pttl`; grant them with ACL SETUSER.',
      options,
    );
    this.detail = detail;
  }
}
