import type { Worker } from 'node:worker_threads';
import type { PoolInit } from '../child/pool-runner.js';
import type { PoolThreadData } from '../child/pool-thread.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import { isProtocolMessage, type PoolStopMessage, type PoolTaskMessage, type ProtocolMessage, type RemoteError } from '../internal/protocol.js';
import { encodeQueues } from '../internal/queue-handles.js';
import { holdHandoffs } from '../internal/queue-lease.js';
import { getRuntime } from '../internal/runtime.js';
import { HANDLE, HOLD_PARENT, INIT_ERROR } from '../internal/symbols.js';
import { launchThread } from '../internal/thread-launcher.js';
import { transportSettings } from '../internal/transport-settings.js';
import { channelEnd } from '../operators/channel-end.js';
import { currentLogSettings } from '../process/logger.js';
import { Process } from '../process/process.js';

/** How a worker ended, as far as its pool needs to know. */
export interface WorkerExit {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  /** It could not start serving: its initializer threw, or it failed to import what it runs. */
  readonly initError: RemoteError | undefined;
  /** A thread's uncaught error. */
  readonly error: unknown;
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

export function startPoolWorker(context: PoolContext, init: PoolInit, onMessage: (message: ProtocolMessage) => void): PoolWorker {
  const runtime = getRuntime();
  // Python names them after the global counter too: SpawnPoolWorker-3.
  const name = `PoolWorker-${[...runtime.identity, runtime.counter + 1].join(':')}`;
  return context === 'thread' ? startThreadWorker(name, init, onMessage) : startProcessWorker(name, init, onMessage);
}

function startProcessWorker(name: string, init: PoolInit, onMessage: (message: ProtocolMessage) => void): PoolWorker {
  // Daemons, as Python's pool workers: they never keep the program alive by themselves, end with it,
  // and may not start processes of their own.
  const process = new Process({ target: POOL_WORKER_TARGET, args: [init], name, daemon: true });
  process.start();
  const handle = process[HANDLE];
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
    hold: (held) => process[HOLD_PARENT](held),
    terminate: () => process.terminate(),
    exited: Promise.all([exit, channelEnd(handle)]).then(() => ({
      exitCode: process.exitCode ?? 1,
      signal: handle.signalCode,
      initError: process[INIT_ERROR],
      error: undefined,
    })),
  };
}

function startThreadWorker(name: string, init: PoolInit, onMessage: (message: ProtocolMessage) => void): PoolWorker {
  const runtime = getRuntime();
  runtime.counter++;
  // The queues among initargs stay served until the thread is gone, as for a child process's args.
  const [initargs, releaseQueues] = holdHandoffs(() => init.initargs.map((arg, index) => encodeQueues(arg, `initargs[${index}] of Pool`)));
  const data: PoolThreadData = {
    name,
    identity: [...runtime.identity, runtime.counter],
    parent: { name: runtime.name, pid: process.pid },
    log: currentLogSettings(),
    transport: transportSettings(),
    init: { initializer: init.initializer, initargs },
  };
  const worker: Worker = launchThread('runPoolThread', data, name);
  let initError: RemoteError | undefined;
  let error: unknown;
  worker.on('message', (message: unknown) => {
    if (!isProtocolMessage(message)) return;
    if (message.rxmp === 'init-failed') initError = message.error;
    else onMessage(message);
  });
  worker.on('error', (thrown) => {
    error = thrown;
  });
  worker.unref();
  return {
    name,
    pid: process.pid,
    send: (message) => worker.postMessage(message),
    hold: (held) => (held ? worker.ref() : worker.unref()),
    terminate: () => void worker.terminate(),
    exited: new Promise((resolve) => {
      worker.once('exit', (exitCode) => {
        releaseQueues();
        resolve({ exitCode, signal: null, initError, error });
      });
    }),
  };
}

const POOL_WORKER_TARGET = bootstrapExport('runPoolWorker');
