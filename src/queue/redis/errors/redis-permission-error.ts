import { RedisBackendError } from './redis-backend-error.js';

/**
 * The ACL user may not run a command or touch a key the queue needs (`NOPERM`).
 */
export class RedisPermissionError extends RedisBackendError {
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
