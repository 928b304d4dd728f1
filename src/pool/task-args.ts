import { isPlainItem, assertSerializable } from '../internal/serialize.js';
import { throwOnQueues } from '../queue/queue-handles.js';

/**
 * Checks that every argument of `calls` can reach a worker, before anything is sent: a function or a
 * socket fails the call with SerializationError naming where it is, not the worker. A queue cannot be
 * a task's argument (structured clone would make it an empty object): pass it in `initargs`.
 */
export function checkCalls(calls: unknown[][], what: string): unknown[][] {
  calls.forEach((args, call) => {
    args.forEach((arg, index) => {
      if (typeof arg !== 'object' && typeof arg !== 'function' && typeof arg !== 'symbol') return;
      if (isPlainItem(arg)) return;
      const path = calls.length === 1 ? `${what}[${index}]` : `${what}: item ${call}, argument ${index}`;
      throwOnQueues(arg, path, QUEUE_IN_TASK);
      assertSerializable(arg, path);
    });
  });
  return calls;
}

const QUEUE_IN_TASK = "a Queue cannot be a task's argument; pass it to every worker once, in the Pool's initargs, and keep it at the top level of the initializer's module for the tasks";
