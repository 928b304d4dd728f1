import type { QueueDescriptor } from '../internal/protocol.js';
import { ADOPT_QUEUE } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Queue } from '../process/queue.js';

// The queue code is bundled into the chunk the bootstrap shares with the public entry: producer
// children and manual consumers always get queues, and a dynamic import of the entry (operators,
// logger) cost them ~3 ms of start-up each, more than compiling the queue code costs a child that
// gets none.
/** A child's working proxy of the queue a descriptor names (queues travel in args as descriptors). */
export function adoptQueue(descriptor: QueueDescriptor): unknown {
  return descriptor.joinable ? JoinableQueue[ADOPT_QUEUE](descriptor) : Queue[ADOPT_QUEUE](descriptor);
}
