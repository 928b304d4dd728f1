import { childFailureOf } from '../internal/child-failures.js';
import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A consumer process ended while it held items, and they could not be redelivered: redelivery is
 * off, consume() spent its restart budget and no consumer is left, or an item killed every consumer
 * that ran it (a poison item, named in `poisonItem`). Counts what was lost, so the loss is reported,
 * never silent. When the consumer failed by an error (an uncaught one, an initializer that threw),
 * that error is the `cause`, with the child's name, message and stack.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * export function crash(n: number): number { if (n === 2) process.exit(1); return n; }
 * if (isMainModule(import.meta.url)) {
 *   from([1, 2, 3]).pipe(consume(crash, { processes: 2, onConsumerExit: 'error' })).subscribe({
 *     error: (e: unknown) => { if (e instanceof ConsumerExitedError) console.log(e.lostItems, e.exitCode); },
 *   });
 * }
 * ```
 */
export class ConsumerExitedError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_CONSUMER_EXITED' as const;
  /** The consumer's name (`Process-3`, or `${name}N` with consume()'s `name` option). */
  readonly processName: string;
  /** The consumer's pid (this program's pid for a worker thread), when it was known. */
  readonly pid: number | undefined;
  /** Its exit code: N for `process.exit(N)`, -N when killed by signal N; null if unknown. */
  readonly exitCode: number | null;
  /** Items it held unfinished, which were not handled. */
  readonly lostItems: number;
  /** Consumers consume() had started to replace dead ones (see its `maxRestarts` option). */
  readonly restarts: number;
  /** The item that killed consumers while they ran it (a poison item), summarised: `item #3 ('x3')`. */
  readonly poisonItem: string | undefined;
  /** How many consumers died while they ran {@link poisonItem}. */
  readonly killedConsumers: number;

  constructor(details: {
    processName: string;
    pid: number | undefined;
    exitCode: number | null;
    lostItems: number;
    reason: string;
    restarts?: number;
    poisonItem?: string;
    killedConsumers?: number;
    cause?: unknown;
  }) {
    const cause = details.cause ?? childFailureOf(details.processName, details.pid);
    super(
      `Consumer ${details.processName} (pid ${details.pid ?? '?'}) exited with code ${details.exitCode} holding ` +
        `${details.lostItems} unfinished item(s); ${details.reason}`,
      cause === undefined ? undefined : { cause },
    );
    this.processName = details.processName;
    this.pid = details.pid;
    this.exitCode = details.exitCode;
    this.lostItems = details.lostItems;
    this.restarts = details.restarts ?? 0;
    this.poisonItem = details.poisonItem;
    this.killedConsumers = details.killedConsumers ?? 0;
  }
}
