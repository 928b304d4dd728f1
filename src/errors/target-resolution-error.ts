import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A target (or `Process` subclass) that a child process cannot import: a closure, an anonymous or
 * bound function, a class method, a function that its module does not export, or a module that
 * fails to load in the child.
 *
 * @example
 * ```ts
 * const double = (x: number) => x * 2;        // not exported: a child cannot import it
 * try { new Process({ target: double, args: [1] }).start(); } catch (e) {
 *   console.log(e instanceof TargetResolutionError); // true; the message says to export it
 * }
 * ```
 */
export class TargetResolutionError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_TARGET_RESOLUTION' as const;
  /** The module the target was looked up in, when known. */
  readonly module: string | undefined;
  /** The export that was looked up, when known. */
  readonly exportName: string | undefined;

  constructor(message: string, details: { module?: string; exportName?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.module = details.module;
    this.exportName = details.exportName;
  }
}
