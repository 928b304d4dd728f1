import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A value that cannot cross to another process by structured clone (a function, a symbol, a class
 * instance holding native handles, …): an argument of `Process`, a field of a `Process` subclass,
 * or an item put into a queue. Thrown before anything is sent, so nothing is half-delivered.
 *
 * @example
 * ```ts
 * export function work(x: unknown): void { console.log(x); }
 * if (isMainModule(import.meta.url)) {
 *   try {
 *     new Process({ target: work, args: [() => 2] }).start();
 *   } catch (e) {
 *     if (e instanceof SerializationError) console.log(e.path); // args[0] of Process-1 (the message adds: function cannot be sent …)
 *   }
 * }
 * ```
 */
export class SerializationError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_SERIALIZATION' as const;
  /** Where the value was, e.g. `args[1] of Process-1`, `item.handler`, `args[0].socket of Process-2`. */
  readonly path: string;
  /** What the value is, when it was found: `function handler`, `symbol`, `net.Socket`, `Promise`. */
  readonly valueType: string | undefined;

  /**
   * `fix` replaces the default advice (what can be cloned) when the cause is another one; `reason`
   * replaces the cause's message (structured clone's quotes the value's source, say a socket's
   * internal callback).
   */
  constructor(path: string, cause: unknown, fix = CLONEABLE_ADVICE, details: { readonly valueType?: string; readonly reason?: string } = {}) {
    const reason = details.reason ?? (cause instanceof Error ? cause.message : String(cause));
    const what = details.valueType === undefined ? path : `${path}: ${details.valueType}`;
    // One full stop between the reason and the fix, however the reason ends.
    super(`${what} cannot be sent to another process: ${reason.replace(/[\s.]+$/, '')}. ${fix}`.trimEnd(), { cause });
    this.path = path;
    this.valueType = details.valueType;
  }
}

const CLONEABLE_ADVICE =
  'Only structured-cloneable values cross processes (plain objects, arrays, strings, numbers, ' +
  'Map, Set, Date, typed arrays, …); pass data instead of functions, symbols or handles.';
