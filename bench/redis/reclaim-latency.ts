// How soon a SIGKILLed consumer's items run elsewhere (design target T8: <= 100 ms when the parent
// sees the exit): a child consumer (test/fixtures/redis-consumer.ts) takes a window of entries, is
// SIGKILLed by pid; from its 'exit' event the parent times reclaimFrom() + the first item in hand.
//   node --import tsx bench/redis/reclaim-latency.ts [trials]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { startRedisServer } from '../../scripts/redis-server.js';
import { openRedisQueue } from '../../src/queue/redis/redis-queue.js';

const trials = Number(process.argv[2] ?? 20);
const server = await startRedisServer();
const ms: number[] = [];
console.log(execFileSync('uptime', { encoding: 'utf8' }).trim());
try {
  for (let t = 0; t < trials; t++) {
    const name = `reclaim-${t}`;
    const q = await openRedisQueue<number>({ url: server.url, name, batchItems: 10 });
    await q.putMany(Array.from({ length: 100 }, (_, i) => i));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/redis-consumer.ts', server.url, name, '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const { consumer, pid } = JSON.parse(out) as { consumer: string; pid: number };
    const exited = once(child, 'exit');
    process.kill(pid, 'SIGKILL');
    await exited;
    const t0 = process.hrtime.bigint();
    await q.reclaimFrom(consumer);
    await q.getMany(Infinity, 1000);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await q.destroy();
  }
} finally {
  await server.stop();
}
const sorted = [...ms].sort((a, b) => a - b);
console.log(execFileSync('uptime', { encoding: 'utf8' }).trim());
console.log(JSON.stringify({ trials, medianMs: +(sorted[sorted.length >> 1] as number).toFixed(2), maxMs: +(sorted[sorted.length - 1] as number).toFixed(2), minMs: +(sorted[0] as number).toFixed(2) }));
