import { constants } from 'node:os';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { isProtocolMessage } from '../internal/protocol.js';
import { HANDLE, STDERR_TAIL } from '../internal/symbols.js';
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

/**
 * Calls `then` once `child` says it is exiting with 0 (see ExitingMessage). A producer is done once
 * it has exited with 0; its word comes 4–9 ms before the kernel's, which waits until the child's
 * memory is freed.
 */
export function whenExitingWith0(child: Process, then: () => void): void {
  const handle = child[HANDLE];
  handle?.on('message', function onMessage(message: unknown) {
    if (!isProtocolMessage(message) || message.rxmp !== 'exiting' || message.code !== 0) return;
    handle.off('message', onMessage);
    then();
  });
}

/** A producer child that exited 0 has flushed everything: its end marker arrives within moments, or never. */
export const DRAIN_AFTER_EXIT_MS = 5_000;
// How long a failed child's stderr may take to end (a grandchild may hold it open).
const STDERR_WAIT_MS = 500;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
