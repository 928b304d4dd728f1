// Entry of a Pool worker thread (context: 'thread'): the thread becomes a daemon child of this
// process — it is not the main module, may not start processes, and knows the tree's transport
// settings for the queues in initargs — then serves tasks over its port, as a worker process does
// over its IPC channel.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { adoptTransportSettings, type TransportSettings } from '../internal/transport-settings.js';
import { getRuntime, type LogSettings, type ParentInfo } from '../internal/runtime.js';
import { toRemoteError, isProtocolMessage, type ProtocolMessage } from '../internal/protocol.js';
import { decodeQueues } from '../internal/queue-handles.js';
import { configureLogging } from '../process/logger.js';
import { adoptQueue } from './adopt-queue.js';
import { servePool, type PoolChannel, type PoolInit } from './pool-runner.js';

/** What a pool hands its worker thread in `workerData`. */
export interface PoolThreadData {
  readonly name: string;
  readonly identity: readonly number[];
  readonly parent: ParentInfo;
  readonly log: LogSettings;
  readonly transport: TransportSettings;
  readonly init: PoolInit;
}

export async function runPoolThread(data: PoolThreadData): Promise<void> {
  const port = parentPort as MessagePort;
  const runtime = getRuntime();
  runtime.name = data.name;
  runtime.identity = data.identity;
  runtime.daemon = true;
  runtime.parent = data.parent;
  runtime.counter = 0;
  adoptTransportSettings(data.transport);
  configureLogging(data.log);
  const channel = portChannel(port);
  // A missing main guard in the initializer's or a task's module ends this thread, as it ends a child.
  runtime.failChild = (error) => {
    channel.send({ rxmp: 'init-failed', error: toRemoteError(error) });
    process.exit(1);
  };
  const init: PoolInit = { initializer: data.init.initializer, initargs: decodeQueues(data.init.initargs, adoptQueue) as unknown[] };
  try {
    await servePool(channel, init);
  } catch (error) {
    runtime.failChild(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  // In a worker thread this ends the thread only, however many timers its tasks left behind: a
  // worker process ends the same way once its pool lets it go.
  process.exit(0);
}

function portChannel(port: MessagePort): PoolChannel {
  return {
    send: (message) => port.postMessage(message),
    listen: (onMessage) => {
      const listener = (message: unknown): void => {
        if (isProtocolMessage(message)) onMessage(message as ProtocolMessage);
      };
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}
