// The processes of the engine's relay case, driven by the baseline harness's runCase (forked with
// this process's --import tsx): `consumer` reads batches, taskDones them and reports an item as
// done once its acknowledgement is in Redis; `producer` putManys its slice on 'go'.
// argv[2]: JSON { role, url, name, from, to, size, window, maxsize, chunk }
import { openRedisQueue } from '../../src/queue/redis/redis-queue.js';
import { QueueEmptyError } from '../../src/errors/queue-empty-error.js';

interface Args {
  readonly role: 'producer' | 'consumer';
  readonly url: string;
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly size: 'small' | '1k';
  readonly window: number;
  readonly maxsize: number;
  readonly chunk: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const q = await openRedisQueue<string>({ url: args.url, name: args.name, maxsize: args.maxsize, window: args.window });
const send = (m: object) => process.send?.(m);
let stopping = false;
process.on('message', (m: { go?: boolean; stop?: boolean }) => {
  if (m.go) void produce();
  if (m.stop) {
    stopping = true;
    void q.close().then(() => send({ cpu: process.cpuUsage() })).finally(() => process.exit(0));
  }
});
send({ ready: true, cpu: process.cpuUsage() });

if (args.role === 'consumer') {
  let done = 0;
  let scheduled = false;
  while (!stopping) {
    let items: string[];
    try {
      items = await q.getMany(Infinity, 200);
    } catch (error) {
      if (error instanceof QueueEmptyError) continue;
      if (stopping) break;
      throw error;
    }
    q.taskDone(items.length);
    const k = items.length;
    void q.flush().then(() => {
      done += k;
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          send({ done });
        });
      }
    });
  }
}

async function produce(): Promise<void> {
  const t0 = process.hrtime.bigint();
  const pad = 'x'.repeat(1016);
  for (let start = args.from; start < args.to; start += args.chunk) {
    const items: string[] = [];
    for (let i = start; i < Math.min(args.to, start + args.chunk); i++) items.push(args.size === '1k' ? pad + String(i).padStart(8, '0') : `item${i}`);
    await q.putMany(items);
  }
  send({ produced: args.to - args.from, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
}
