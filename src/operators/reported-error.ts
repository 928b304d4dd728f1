import { ProcessStateError } from '../errors/process-state-error.js';
import { INIT_ERROR } from '../internal/symbols.js';
import type { Process } from '../process/process.js';

/**
 * The ProcessStateError a child reported before it exited (a missing main guard: see
 * throwOnMissingMainGuard), as an error of this process, or undefined. A pipeline fails with it as it
 * is, not with a generic exit error and not after redelivering: it says what to fix in the user's
 * program, and every other child imports that program too. Its stack is the child's, which shows the
 * line of the user's module that started a process. Ask once the child's channel has ended.
 */
export function reportedError(child: Process, cause?: unknown): ProcessStateError | undefined {
  const reported = child[INIT_ERROR];
  if (reported?.name !== 'ProcessStateError') return undefined;
  const error = new ProcessStateError(reported.message, cause === undefined ? undefined : { cause });
  if (reported.stack) error.stack = reported.stack;
  return error;
}
