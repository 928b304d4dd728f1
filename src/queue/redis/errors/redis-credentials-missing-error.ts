import { MultiprocessingError } from '../../../errors/multiprocessing-error.js';

/**
 * A Redis queue reached this process as a descriptor whose credentials (the URL's password, the
 * `authkey`) never came with it. They travel only over a worker's private channel, beside the args
 * of a Process, a Pool task or a Pool's initargs, from the process that holds the queue; a descriptor
 * copied by hand (JSON, a file, a queue item) has none, and connecting without them would only end
 * in Redis refusing the connection or every entry.
 *
 * @example
 * ```ts
 * export async function work(jobs: JoinableQueue<string>): Promise<string> {
 *   const job = await jobs.get();
 *   jobs.taskDone();
 *   return job;
 * }
 * if (isMainModule(import.meta.url)) {
 *   const jobs = new JoinableQueue<string>(0, { backend: redis('redis://app:secret@127.0.0.1:6379', { name: 'jobs' }) });
 *   await using pool = new Pool({ processes: 1 });
 *   await jobs.put('x');
 *   // The queue itself: its credentials follow privately. A hand-copied descriptor would reject with
 *   // a TaskError whose remoteName is 'RedisCredentialsMissingError'.
 *   console.log(await pool.apply(work, [jobs])); // x
 *   jobs.close();
 * }
 * ```
 */
export class RedisCredentialsMissingError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_CREDENTIALS_MISSING' as const;
  /** The queue's name. */
  readonly queue: string;
  /** The server's URL, without user or password. */
  readonly server: string;

  constructor(queue: string, server: string) {
    super(
      `Redis queue '${queue}' at ${server} reached this process without its credentials: a queue's password and ` +
        'authkey travel only beside the args a Process, a Pool task or a Pool initializer receives from the process ' +
        "that holds the queue, never in its descriptor. Pass the queue itself in those args, not a copy of its " +
        'descriptor (JSON, a file, a queue item); on another machine, create the queue there with redis(url, { name }).',
    );
    this.queue = queue;
    this.server = server;
  }
}
