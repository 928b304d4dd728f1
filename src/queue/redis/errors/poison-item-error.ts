import { MultiprocessingError } from '../../../errors/multiprocessing-error.js';

/**
 * An item was in hand each time consumers of the queue died (more than `maxDeliveries` deliveries,
 * then once more handed out alone), so it was taken out of the queue: it is in the dead-letter
 * stream `rxmp:{name}:dead`, counted as done, and the queue goes on without it.
 *
 * @example
 * ```ts
 * const backend = redis('redis://127.0.0.1:6379', {
 *   name: 'jobs',
 *   maxDeliveries: 3,
 *   onDeadLetter: (err: PoisonItemError) => console.error(err.itemId, err.deliveries),
 * });
 * const q = new JoinableQueue<string>(0, { backend });
 * q.close();
 * ```
 */
export class PoisonItemError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_POISON_ITEM' as const;

  /** `<entryId>:<index>`: the item's place in the stream, the same in every delivery. */
  readonly itemId: string;
  /** How many times its entry was delivered. */
  readonly deliveries: number;

  constructor(queue: string, itemId: string, deliveries: number, deadKey: string) {
    super(
      `Queue '${queue}': item ${itemId} was in hand each time its consumer died (${deliveries} deliveries), so it was ` +
        `moved to the dead-letter stream ${deadKey} and counted as done. Find what makes the consumer exit on it ` +
        '(read it there with XRANGE), fix the handler, and put it again.',
    );
    this.itemId = itemId;
    this.deliveries = deliveries;
  }
}
