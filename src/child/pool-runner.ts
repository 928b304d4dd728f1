// Runs inside a Pool worker, a process or a thread (which gets a process's channel, see thread-channel.ts): runs the pool's initializer once, then the tasks
// it is sent, one at a time and in order, and answers each with its outcomes. Tasks that come while
// one runs wait here; the pool sends a worker a task only when it has none, so few ever do.
import type { ModuleExportRef } from '../internal/function-locator.js';
import { isProtocolMessage, toRemoteError, type PoolDoneMessage, type PoolTaskMessage, type ProtocolMessage, type RemoteError } from '../internal/protocol.js';
import { assertCloneable } from '../internal/serialize.js';
import { ExitRequest } from './exit.js';
import { sendToParent } from './parent-channel.js';
import { importTarget } from './import-target.js';
import { isPromiseLike } from '../internal/promise-like.js';
import { adoptQueuesIn } from './adopt-queue.js';

/** What every worker of a pool runs first: Python's `Pool(initializer, initargs)`. */
export interface PoolInit {
  readonly initializer: ModuleExportRef | null;
  readonly initargs: readonly unknown[];
}

/** Serves tasks until the pool says stop. Listens before its first await: tasks may come at once. */
export async function servePool(init: PoolInit): Promise<void> {
  const tasks: PoolTaskMessage[] = [];
  let stopping = false;
  let wake: (() => void) | undefined;
  const listener = (message: unknown): void => {
    if (!isProtocolMessage(message)) return;
    if (message.rxmp === 'pool-task') tasks.push(message);
    else if (message.rxmp === 'pool-stop') stopping = true;
    else return;
    wake?.();
  };
  process.on('message', listener);
  if (init.initializer) {
    try {
      const initializer = (await importTarget(init.initializer)) as (...args: readonly unknown[]) => unknown;
      await initializer(...init.initargs);
    } catch (error) {
      // The pool must not replace this worker with another that fails the same way: it is told why.
      if (!(error instanceof ExitRequest)) sendToParent({ rxmp: 'init-failed', error: toRemoteError(error) } satisfies ProtocolMessage);
      throw error;
    }
  }
  sendToParent({ rxmp: 'pool-ready' } satisfies ProtocolMessage);
  const functions = new Map<string, Function>();
  // The Redis queues tasks were given, one per queue for all of them (see adoptQueuesIn).
  const queues = new Map<string, unknown>();
  for (;;) {
    const task = tasks.shift();
    if (task) {
      send(await runTask(task, functions, queues), task);
    } else if (stopping) {
      break;
    } else {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  process.off('message', listener);
}

async function runTask(task: PoolTaskMessage, functions: Map<string, Function>, queues: Map<string, unknown>): Promise<PoolDoneMessage> {
  let fn: Function;
  let calls = task.calls;
  try {
    fn = await importFunction(task.fn, functions);
    // Only calls that hold Redis queues come with credentials: the others are used as they came.
    if (task.redisSecrets) calls = adoptQueuesIn(task.calls, task.redisSecrets, queues) as PoolTaskMessage['calls'];
  } catch (error) {
    if (error instanceof ExitRequest) throw error;
    return { rxmp: 'pool-done', id: task.id, values: [], errors: [[0, toRemoteError(error)]] };
  }
  const values: unknown[] = [];
  let errors: [number, RemoteError][] | undefined;
  for (let i = 0; i < calls.length; i++) {
    try {
      let value = fn(...(calls[i] as unknown[]));
      if (isPromiseLike(value)) value = await value;
      values.push(value);
    } catch (error) {
      // process.exit() in the task: let it unwind to the runtime, which exits once this is flushed.
      if (error instanceof ExitRequest) throw error;
      (errors ??= []).push([i, toRemoteError(error)]);
      if (!task.settle) break;
      values.push(undefined);
    }
  }
  return errors ? { rxmp: 'pool-done', id: task.id, values, errors } : { rxmp: 'pool-done', id: task.id, values };
}

// A value the channel cannot clone fails its own call, named, instead of the worker.
function send(done: PoolDoneMessage, task: PoolTaskMessage): void {
  try {
    sendToParent(done);
    return;
  } catch (error) {
    if (error instanceof ExitRequest) throw error;
  }
  const errors: (readonly [number, RemoteError])[] = [...(done.errors ?? [])];
  const values = done.values.map((value, index) => {
    try {
      assertCloneable(value, `the value \`${task.fn.exportName}\` returned (call ${index} of task ${task.id})`);
      return value;
    } catch (error) {
      errors.push([index, toRemoteError(error)]);
      return undefined;
    }
  });
  errors.sort((a, b) => a[0] - b[0]);
  const first = errors[0]?.[0] ?? values.length;
  sendToParent({ rxmp: 'pool-done', id: done.id, values: task.settle ? values : values.slice(0, first), errors: task.settle ? errors : errors.slice(0, 1) });
}

async function importFunction(ref: ModuleExportRef, functions: Map<string, Function>): Promise<Function> {
  const key = `${ref.exportName} ${ref.module}`;
  let fn = functions.get(key);
  if (!fn) functions.set(key, (fn = await importTarget(ref)));
  return fn;
}

