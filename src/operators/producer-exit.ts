import { constants } from 'node:os';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { isProtocolMessage } from '../internal/protocol.js';
import { HANDLE, STDERR_TAIL } from '../internal/symbols.js';
import type { ProcessStateError } from '../errors/process-state-error.js';
import type { Process } from '../process/process.js';
import { channelEnd } from './channel-end.js';
import { reportedError } from './reported-error.js';

/**
 * Why a producer child that exited with `exitCode` ≠ 0 failed: the ProcessStateError it reported (see
 * reportedError), or a ProcessExitError with the tail of its stderr.
 */
export async function exitError(child: Process): Promise<ProcessExitError | ProcessStateError> {
  const code = child.exitCode ?? 1;
  // Its stderr, and the message saying why it failed, may still be on their way after its exit.
  const waited = new Promise<void>((resolve) => setTimeout(resolve, STDERR_WAIT_MS));
  const [stderrTail] = await Promise.all([Promise.race([child[STDERR_TAIL], waited.then(() => '')]), Promise.race([channelEnd(child[HANDLE]), waited])]);
  const exit = new ProcessExitError({
    processName: child.name,
    pid: child.pid,
    exitCode: code,
    signal: code < 0 ? (SIGNAL_NAMES.get(-code) ?? null) : null,
    stderrTail,
  });
  return reportedError(child, exit) ?? exit;
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

/**
 * A producer child that exited 0 has flushed everything: its end marker arrives within moments, or
 * never. Its output counts as incomplete once its channel stayed empty and unread this long.
 */
export const DRAIN_AFTER_EXIT_MS = 5_000;
// How long a failed child's stderr and channel may take to end (a grandchild may hold its stderr open).
const STDERR_WAIT_MS = 500;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
