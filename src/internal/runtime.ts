import type { AsyncLocalStorage } from 'node:async_hooks';
import { HOLD_PARENT } from './symbols.js';

/** Why a daemon child keeps its parent alive (see TrackedChild). */
export type HoldReason = 'queue' | 'task';

/** What a child learns about its parent at bootstrap. */
export interface ParentInfo {
  readonly name: string;
  readonly pid: number;
}

/** The logging settings a parent hands down to its children. */
export interface LogSettings {
  level: string;
  format: 'text' | 'json';
  /** Whether logToStderr() was called: children then log to stderr too. */
  toStderr: boolean;
}

/** A started child as the runtime tracks it (the parent-side `Process`). */
export interface TrackedChild {
  readonly name: string;
  readonly daemon: boolean;
  isAlive(): boolean;
  terminate(): void;
  /**
   * While held, the child keeps this process alive (a daemon's handle is otherwise unref'd): this
   * process waits on a queue, and the child — connected or still starting — may be the one to settle
   * it (`'queue'`), or a Pool waits for the task the child runs (`'task'`). Each reason is held and
   * released on its own: the queues' waits end without releasing a pool's.
   */
  [HOLD_PARENT](held: boolean, reason?: HoldReason): void;
}

/**
 * Process-wide state. It lives on globalThis under a registered symbol because the library can be
 * loaded twice in one process (the built `dist/` through the package name, and `src/` through a
 * relative path): both copies must agree on who this process is and which children it has.
 */
export interface Runtime {
  name: string;
  identity: readonly number[];
  daemon: boolean;
  parent: ParentInfo | null;
  /** Counter for default names; advances at construction, like CPython. */
  counter: number;
  /** In a child, while it imports a target's module: the module's URL (see importingTarget). */
  importingTarget: string | undefined;
  /**
   * In a child that imported the main script as a target's module: the script's URL, for what that
   * import scheduled to run later (see importingTarget). Starting a process there is a missing main guard.
   */
  targetImport: AsyncLocalStorage<string> | undefined;
  /** In a child: ends it at once with `error`, which its parent hears (set by the child's bootstrap). */
  failChild: ((error: Error) => void) | undefined;
  readonly children: Set<TrackedChild>;
  /** Waits in progress on queues this process owns (a get, put or join); children are held while > 0. */
  ownerWaits: number;
  log: LogSettings;
  exitHookInstalled: boolean;
}

export function getRuntime(): Runtime {
  const holder = globalThis as { [RUNTIME_KEY]?: Runtime };
  holder[RUNTIME_KEY] ??= {
    name: 'MainProcess',
    identity: [],
    daemon: false,
    parent: null,
    counter: 0,
    importingTarget: undefined,
    targetImport: undefined,
    failChild: undefined,
    children: new Set(),
    ownerWaits: 0,
    log: { level: 'silent', format: 'text', toStderr: false },
    exitHookInstalled: false,
  };
  return holder[RUNTIME_KEY];
}

const RUNTIME_KEY = Symbol.for('rx-multiprocessing.runtime');
