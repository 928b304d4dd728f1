// The raw batched Streams relay's producer: on 'go', one XADD entry per 100 items (v8-serialised
// array), pipelines of 10 XADDs — no bookkeeping at all, the ceiling of a Streams design.
import { Redis } from 'ioredis';
import { serialize } from 'node:v8';
import { makeItem } from '../../dist/stats.js';
import { args, connection, ready } from './role.mjs';

const { stream, from, to, size } = args;
const redis = new Redis({ ...connection, lazyConnect: true });
await redis.connect();
ready({
  go: async () => {
    let next = from;
    while (next < to) {
      const pipeline = redis.pipeline();
      for (let e = 0; e < PIPELINE && next < to; e++) {
        const items = [];
        for (const end = Math.min(to, next + BATCH); next < end; next++) items.push(makeItem(size, next));
        pipeline.xadd(stream, '*', 'd', serialize(items));
      }
      for (const [error] of await pipeline.exec()) if (error) throw error;
    }
  },
  stop: () => redis.quit(),
});

const BATCH = 100;
const PIPELINE = 10;
