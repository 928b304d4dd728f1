// The raw batched Streams relay's consumer: XREADGROUP COUNT 10 BLOCK 100, v8.deserialize of every
// entry, and one XACK per read sent just before the next read on the same connection; items count
// as done when their XACK is answered.
import { Redis } from 'ioredis';
import { deserialize } from 'node:v8';
import { args, connection, doneCounter, ready } from './role.mjs';

const { stream, group, name } = args;
const redis = new Redis({ ...connection, lazyConnect: true });
await redis.connect();
// Both consumers try; the second finds the group made.
await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch((error) => {
  if (!String(error).includes('BUSYGROUP')) throw error;
});
const count = doneCounter();
let stopping = false;
ready({
  stop: async () => {
    stopping = true;
    redis.disconnect();
  },
});
while (!stopping) {
  const reply = await redis.xreadgroupBuffer('GROUP', group, name, 'COUNT', 10, 'BLOCK', 100, 'STREAMS', stream, '>').catch((error) => {
    if (!stopping) throw error;
  });
  if (!reply) continue;
  const entries = reply[0][1];
  let items = 0;
  for (const [, fields] of entries) items += deserialize(fields[1]).length;
  redis.xack(stream, group, ...entries.map(([id]) => id)).then(
    () => count(items),
    (error) => {
      if (stopping) return;
      console.error(error);
      process.exit(1);
    },
  );
}
