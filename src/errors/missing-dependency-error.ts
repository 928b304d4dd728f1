import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A feature needs an optional peer dependency that is not installed: logging (`logToStderr()`,
 * `getLogger()`, a level handed down to a child) needs `pino`. The message names the install command.
 *
 * @example
 * try { logToStderr('info'); } catch (err) { if (err instanceof MissingDependencyError) console.error(err.message); } // … npm install pino
 */
export class MissingDependencyError extends MultiprocessingError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_MISSING_DEPENDENCY' as const;
  /** The npm package to install, e.g. `pino`. */
  readonly packageName: string;

  constructor(packageName: string, feature: string, cause?: unknown) {
    super(
      `${feature} needs the package \`${packageName}\`, an optional peer dependency of rx-multiprocessing that is not installed. ` +
        `Install it next to rx-multiprocessing: \`npm install ${packageName}\`.`,
      cause === undefined ? undefined : { cause },
    );
    this.packageName = packageName;
  }
}
