import type { ModuleExportRef } from './function-locator.js';
import type { LogSettings, ParentInfo } from './runtime.js';

/**
 * Every message the library sends over a child's IPC channel. Each carries `rxmp` (its type), so
 * messages of the library and of user code (`process.send`) can share the channel.
 */
export type ProtocolMessage = BootMessage | ReadyMessage | InitFailedMessage;

/** parent → child, once: who the child is and what to run. */
export interface BootMessage {
  readonly rxmp: 'boot';
  readonly boot: BootPayload;
}
/** child → parent: the target's module imported; run() is about to be called. */
export interface ReadyMessage {
  readonly rxmp: 'ready';
}
/** child → parent: the target could not be imported; the child exits with 1. */
export interface InitFailedMessage {
  readonly rxmp: 'init-failed';
  readonly error: RemoteError;
}

export interface BootPayload {
  readonly name: string;
  readonly identity: readonly number[];
  readonly daemon: boolean;
  readonly parent: ParentInfo;
  /** The target function, or null for none. */
  readonly target: ModuleExportRef | null;
  /** A Process subclass to rebuild (its own public fields), or null for Process itself. */
  readonly subclass: { readonly ref: ModuleExportRef; readonly fields: Readonly<Record<string, unknown>> } | null;
  readonly args: readonly unknown[];
  readonly log: LogSettings;
}

/** An error flattened for IPC (structured clone keeps no class). */
export interface RemoteError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly module?: string | undefined;
  readonly exportName?: string | undefined;
}

export function isProtocolMessage(message: unknown): message is ProtocolMessage {
  return typeof message === 'object' && message !== null && typeof (message as { rxmp?: unknown }).rxmp === 'string';
}

export function toRemoteError(error: unknown): RemoteError {
  if (error instanceof Error) {
    const extra = error as { module?: unknown; exportName?: unknown };
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      module: typeof extra.module === 'string' ? extra.module : undefined,
      exportName: typeof extra.exportName === 'string' ? extra.exportName : undefined,
    };
  }
  return { name: 'Error', message: String(error), stack: undefined };
}
