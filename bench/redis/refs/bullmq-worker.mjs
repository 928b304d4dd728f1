// A BullMQ Worker: a no-op processor at concurrency 100; an item is done at its 'completed' event.
import { Worker } from 'bullmq';
import { args, connection, doneCounter, ready } from './role.mjs';

const count = doneCounter();
const worker = new Worker(args.queue, async () => {}, { connection, concurrency: 100 });
worker.on('completed', () => count(1));
worker.on('error', (error) => console.error('bullmq worker error', error));
await worker.waitUntilReady();
ready({ stop: () => worker.close() });
