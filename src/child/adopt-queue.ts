import type { QueueDescriptor, RedisSecret } from '../internal/protocol.js';
import { ADOPT_QUEUE, HANDLE_CLOSED } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Queue } from '../process/queue.js';
import { decodeQueues } from '../queue/queue-handles.js';
import { adoptSecrets } from '../queue/redis/shared-secrets.js';

// The queue code is bundled into the chunk the bootstrap shares with the public entry: producer
// children and manual consumers always get queues, and a dynamic import of the entry (operators,
// logger) cost them ~3 ms of start-up each, more than compiling the queue code costs a child that
// gets none.
/** A child's working proxy of the queue a descriptor names (queues travel in args as descriptors). */
export function adoptQueue(descriptor: QueueDescriptor): unknown {
  return descriptor.joinable ? JoinableQueue[ADOPT_QUEUE](descriptor) : Queue[ADOPT_QUEUE](descriptor);
}

/**
 * Every path by which queues reach a worker (a Process's args and fields, a Pool task's calls) ends
 * here: the Redis credentials sent beside `value` are taken in first, then its descriptors become
 * working queues, in place (`value` is this process's own copy). With `reuse`, one queue per Redis
 * queue serves every call (a pool worker's tasks), instead of a new connection for each.
 */
export function adoptQueuesIn(value: unknown, redisSecrets: Readonly<Record<string, RedisSecret>> | undefined, reuse?: Map<string, unknown>): unknown {
  adoptSecrets(redisSecrets);
  if (!reuse) return decodeQueues(value, adoptQueue);
  return decodeQueues(value, (descriptor) => {
    if (descriptor.kind !== 'redis') return adoptQueue(descriptor);
    const key = `${descriptor.secret} ${descriptor.joinable}`;
    let queue = reuse.get(key) as { readonly [HANDLE_CLOSED]: boolean } | undefined;
    // A task that closed its handle (await using, close()) must not leave the next task a closed one.
    if (queue === undefined || queue[HANDLE_CLOSED]) reuse.set(key, (queue = adoptQueue(descriptor) as { readonly [HANDLE_CLOSED]: boolean }));
    return queue;
  });
}
