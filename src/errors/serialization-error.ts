import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A value that cannot cross to another process by structured clone (a function, a symbol, a class
 * instance holding native handles, …): an argument of `Process`, a field of a `Process` subclass,
 * or an item put into a queue. Thrown before anything is sent, so nothing is half-delivered.
 *
 * @example
 * new Process({ target: work, args: [1, () => 2] }).start(); // SerializationError: args[1] …
 */
export class SerializationError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_SERIALIZATION' as const;
  /** Where the value was, e.g. `args[1]` or `item`. */
  readonly path: string;

  /** `fix` replaces the default advice (what can be cloned) when the cause is another one. */
  constructor(path: string, cause: unknown, fix = CLONEABLE_ADVICE) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${path} cannot be sent to another process: ${reason.replace(/\.$/, '')}. ${fix}`.trimEnd(), { cause });
    this.path = path;
  }
}

const CLONEABLE_ADVICE =
  'Only structured-cloneable values cross processes (plain objects, arrays, strings, numbers, ' +
  'Map, Set, Date, typed arrays, …); pass data instead of functions, symbols or handles.';
