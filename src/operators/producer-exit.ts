import { constants } from 'node:os';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { STDERR_TAIL } from '../internal/symbols.js';
import type { Process } from '../process/process.js';

/** Why a producer child that exited with `exitCode` ≠ 0 failed, with the tail of its stderr. */
export async function exitError(child: Process): Promise<ProcessExitError> {
  const code = child.exitCode ?? 1;
  const stderrTail = await Promise.race([child[STDERR_TAIL], new Promise<string>((resolve) => setTimeout(resolve, STDERR_WAIT_MS, ''))]);
  return new ProcessExitError({
    processName: child.name,
    pid: child.pid,
    exitCode: code,
    signal: code < 0 ? (SIGNAL_NAMES.get(-code) ?? null) : null,
    stderrTail,
  });
}

/** A producer child that exited 0 has flushed everything: its end marker arrives within moments, or never. */
export const DRAIN_AFTER_EXIT_MS = 5_000;

/** What watchProducerExit reports to: the pipeline that started the producer. */
export interface ProducerWatch {
  readonly finished: () => boolean;
  /** Whether the producer said it sent its last item (its end marker arrived). */
  readonly ended: () => boolean;
  readonly exited: () => void;
  readonly fail: (error: unknown) => void;
  readonly timers: NodeJS.Timeout[];
}

/**
 * As on the general path, a direct pipeline's producer is done when it exited with 0 after its last
 * item: an exit with an error fails the output, and so does an exit with 0 whose end marker never
 * comes (it may be seen before or after the exit, within DRAIN_AFTER_EXIT_MS).
 */
export function watchProducerExit(child: Process, watch: ProducerWatch): void {
  void child.join().then(async () => {
    if (child.exitCode !== 0) return watch.fail(await exitError(child));
    watch.exited();
    if (watch.finished() || watch.ended()) return;
    const timer = setTimeout(() => {
      if (!watch.ended()) watch.fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail: 'exited with 0 before its output was complete' }));
    }, DRAIN_AFTER_EXIT_MS);
    watch.timers.push(timer.unref());
  });
}
// How long a failed child's stderr may take to end (a grandchild may hold it open).
const STDERR_WAIT_MS = 500;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
