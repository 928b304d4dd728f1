import type { PoolInit } from '../child/pool-runner.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import { isProtocolMessage, type PoolStopMessage, type PoolTaskMessage, type ProtocolMessage, type RemoteError } from '../internal/protocol.js';
import { getRuntime } from '../internal/runtime.js';
import { HANDLE, HOLD_PARENT, INIT_ERROR, IN_THREAD } from '../internal/symbols.js';
import { channelEnd } from '../operators/channel-end.js';
import { Process } from '../process/process.js';

/** How a worker ended, as far as its pool needs to know. */
export interface WorkerExit {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  /** It could not start serving: its initializer threw, or it failed to import what it runs. */
  readonly initError: RemoteError | undefined;
}

/** One of a pool's workers, a process or a thread, as the pool drives it. */
export interface PoolWorker {
  readonly name: string;
  /** The worker's process id (a thread's is this process's). */
  readonly pid: number | undefined;
  send(message: PoolTaskMessage | PoolStopMessage): void;
  /** While held, the worker keeps this process alive: the pool has work it waits for. */
  hold(held: boolean): void;
  terminate(): void;
  /** Settles once the worker is gone and everything it sent has been read. */
  readonly exited: Promise<WorkerExit>;
}

export type PoolContext = 'process' | 'thread';

/**
 * Starts a worker: a Process running the bootstrap's pool loop, in a child process or, for
 * `'thread'`, in a worker thread (see ThreadChild), driven alike through its child handle.
 */
export function startPoolWorker(context: PoolContext, init: PoolInit, onMessage: (message: ProtocolMessage) => void): PoolWorker {
  const runtime = getRuntime();
  // Python names them after the global counter too: SpawnPoolWorker-3.
  const name = `PoolWorker-${[...runtime.identity, runtime.counter + 1].join(':')}`;
  // Daemons, as Python's pool workers: they never keep the program alive by themselves, end with it,
  // and may not start processes of their own.
  const worker = new Process({ target: POOL_WORKER_TARGET, args: [init], name, daemon: true, ...(context === 'thread' ? { [IN_THREAD]: true } : {}) });
  worker.start();
  const handle = worker[HANDLE];
  handle.on('message', (message: unknown) => {
    if (isProtocolMessage(message)) onMessage(message);
  });
  const exit = new Promise<void>((resolve) => handle.once('exit', () => resolve()));
  return {
    name,
    pid: handle.pid,
    send: (message) => {
      if (handle.connected) handle.send(message);
    },
    hold: (held) => worker[HOLD_PARENT](held),
    terminate: () => worker.terminate(),
    exited: Promise.all([exit, channelEnd(handle)]).then(() => ({
      exitCode: worker.exitCode ?? 1,
      signal: handle.signalCode,
      initError: worker[INIT_ERROR],
    })),
  };
}

const POOL_WORKER_TARGET = bootstrapExport('runPoolWorker');
