/**
 * The base of every error this library throws, so one `instanceof` check catches them all. Each
 * subclass has a stable `code` (`'ERR_QUEUE_FULL'`, …; the table is in docs/errors.md), as Node's
 * own errors do: match on `code` or the class, not on the message, which may be reworded.
 *
 * @example
 * ```ts
 * const q = new Queue<number>(1);
 * await q.put(1);
 * try {
 *   q.putNowait(2);
 * } catch (err) {
 *   if (err instanceof MultiprocessingError && err.code === 'ERR_QUEUE_FULL') console.log('full, try later');
 * }
 * ```
 */
export class MultiprocessingError extends Error {
  /** Stable across releases, as Node's own `err.code`; each subclass narrows it to its own literal. */
  readonly code: string = 'ERR_MULTIPROCESSING';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
