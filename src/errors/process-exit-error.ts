import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A child process ended unsuccessfully: a non-zero exit code or a signal. Carries everything needed
 * to tell why.
 *
 * @example
 * ```ts
 * export function fail(): void { process.exit(3); }
 * if (isMainModule(import.meta.url)) {
 *   producer(fail).subscribe({
 *     error: (e: unknown) => { if (e instanceof ProcessExitError) console.log(e.exitCode, e.signal); }, // 3 null
 *   });
 * }
 * ```
 */
export class ProcessExitError extends MultiprocessingError {
  /** The child's name (`Process-2`, a consumer's name). */
  readonly processName: string;
  /** The child's pid (this program's pid for a worker thread); undefined if it never started. */
  readonly pid: number | undefined;
  /** The exit code: N for `process.exit(N)`, 1 for an uncaught error, -N when killed by signal N. */
  readonly exitCode: number;
  /** The signal that killed the child (`'SIGKILL'`), or null when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
  /** The last lines the child wrote to stderr, when they were captured. */
  readonly stderrTail: string;

  constructor(details: {
    processName: string;
    pid: number | undefined;
    exitCode: number;
    signal: NodeJS.Signals | null;
    stderrTail?: string;
    cause?: unknown;
  }) {
    const how = details.signal ? `was killed by ${details.signal}` : `exited with code ${details.exitCode}`;
    const tail = details.stderrTail ? `\n--- stderr (tail) ---\n${details.stderrTail}` : '';
    super(
      `Process ${details.processName} (pid ${details.pid ?? '?'}) ${how}. ` +
        'Its stderr (above, or below) says why.' +
        tail,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.processName = details.processName;
    this.pid = details.pid;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail ?? '';
  }
}
