import type { RedisSecret } from '../internal/protocol.js';
import { isPlainItem, assertSerializable } from '../internal/serialize.js';
import { encodeQueues, throwOnQueues } from '../queue/queue-handles.js';
import { collectSecrets } from '../queue/redis/shared-secrets.js';

/** A task's calls as they travel to a worker, and the credentials of the Redis queues in them. */
export interface CheckedCalls {
  readonly calls: unknown[][];
  readonly redisSecrets: Readonly<Record<string, RedisSecret>> | undefined;
}

/**
 * Checks that every argument of `calls` can reach a worker, before anything is sent: a function or a
 * socket fails the call with SerializationError naming where it is, not the worker. A queue some
 * process here serves cannot be a task's argument (its owner would have to keep serving it for a
 * worker that outlives the task): pass it in `initargs`. A Redis queue can: it becomes its descriptor,
 * and its credentials go beside the calls, as beside a Process's args (see shared-secrets.ts).
 */
export function checkCalls(calls: unknown[][], what: string): CheckedCalls {
  const [checked, redisSecrets] = collectSecrets(() =>
    calls.map((args, call) => {
      let copy: unknown[] | undefined;
      args.forEach((arg, index) => {
        if (typeof arg !== 'object' && typeof arg !== 'function' && typeof arg !== 'symbol') return;
        if (isPlainItem(arg)) return;
        const path = calls.length === 1 ? `${what}[${index}]` : `${what}: item ${call}, argument ${index}`;
        throwOnQueues(arg, path, QUEUE_IN_TASK, false);
        const encoded = encodeQueues(arg, path);
        assertSerializable(encoded, path);
        // The caller's arrays are never changed: the calls that hold queues travel as copies.
        if (encoded !== arg) (copy ??= [...args])[index] = encoded;
      });
      return copy ?? args;
    }),
  );
  return { calls: checked, redisSecrets };
}

const QUEUE_IN_TASK = "a Queue cannot be a task's argument; pass it to every worker once, in the Pool's initargs, and keep it at the top level of the initializer's module for the tasks (a Queue in Redis can be)";
