import { MultiprocessingError } from '../../../errors/multiprocessing-error.js';

/**
 * A queue entry was not signed with the queue's `authkey` (unsigned, or signed with another key), so
 * it was dropped without being deserialised: someone with write access to the stream, or a producer
 * configured with another authkey, added it.
 *
 * @example
 * ```ts
 * const backend = redis('redis://127.0.0.1:6379', {
 *   name: 'jobs',
 *   authkey: process.env.JOBS_AUTHKEY ?? 'a shared secret',
 *   onRejected: (err: EntrySignatureError) => console.warn(err.entryId, err.message),
 * });
 * const q = new JoinableQueue<string>(0, { backend });
 * q.close();
 * ```
 */
export class EntrySignatureError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_ENTRY_SIGNATURE' as const;

  /** The stream entry's id. */
  readonly entryId: string;

  constructor(queue: string, entryId: string, reason: 'unsigned' | 'wrong signature') {
    super(
      `Queue '${queue}' dropped entry ${entryId}: ${reason}, so it was not deserialised. Give every producer of ` +
        'this queue the same `authkey`, and keep Redis write access to the queue\'s keys to those producers.',
    );
    this.entryId = entryId;
  }
}
