import type { EventEmitter } from 'node:events';

/**
 * What the library's layers use of a started child: a forked process's ChildProcess, or a thread's
 * ThreadChild shaped the same. Events: 'message' (a message from the child), 'disconnect' (nothing
 * more will arrive: after every message the child sent), 'exit' (code, signal), 'error'.
 */
export interface ChildHandle extends EventEmitter {
  /** The child's OS pid; a thread's is this process's own. */
  readonly pid?: number | undefined;
  /** True while messages can go both ways. */
  readonly connected: boolean;
  /** The signal that ended it (a thread ended by kill() reports the signal it was asked for). */
  readonly signalCode: NodeJS.Signals | null;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly channel?: { ref(): void; unref(): void } | null | undefined;
  send(message: unknown): boolean;
  kill(signal?: NodeJS.Signals): boolean;
  ref(): void;
  unref(): void;
}
