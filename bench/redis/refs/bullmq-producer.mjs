// A BullMQ producer: on 'go', Queue.addBulk of its slice in chunks of 1,000 jobs, finished jobs
// removed (the docs' advice for throughput and volume, and the baseline's settings).
import { Queue } from 'bullmq';
import { makeItem } from '../../dist/stats.js';
import { args, connection, ready } from './role.mjs';

const { queue, from, to, size } = args;
const q = new Queue(queue, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
await q.waitUntilReady();
ready({
  go: async () => {
    for (let start = from; start < to; start += CHUNK) {
      const jobs = [];
      for (let i = start; i < Math.min(to, start + CHUNK); i++) jobs.push({ name: 'j', data: { v: makeItem(size, i) } });
      await q.addBulk(jobs);
    }
  },
  stop: () => q.close(),
});

const CHUNK = 1000;
