// The seed's shape on the Redis backend, as a whole program: 3 producer Processes put into a
// JoinableQueue(1000) in Redis, 2 daemon consumer Processes get and taskDone(); main joins the
// producers, then the queue. The server's URL comes in RXMP_BENCH_REDIS_URL (it carries a password).
// `node bench/e2e/redis-joinable.mjs 5000` prints the number of items put.
import { JoinableQueue, Process, isMainModule, redis } from 'rx-multiprocessing';

export async function produce(q, from, to) {
  for (let i = from; i < to; i++) await q.put(`item${i}`);
}

export async function eat(q) {
  for (;;) {
    await q.get();
    q.taskDone();
  }
}

if (isMainModule(import.meta.url)) {
  const n = Number(process.argv[2] ?? 5_000);
  const per = Math.ceil(n / 3);
  const q = new JoinableQueue(1000, { backend: redis(process.env.RXMP_BENCH_REDIS_URL ?? '', { name: `seed-${process.pid}-${Date.now()}` }) });
  const consumers = [0, 1].map(() => new Process({ target: eat, args: [q], daemon: true }));
  const producers = [0, 1, 2].map((p) => new Process({ target: produce, args: [q, p * per, Math.min(n, (p + 1) * per)] }));
  for (const c of consumers) c.start();
  for (const p of producers) p.start();
  for (const p of producers) await p.join();
  await q.join();
  q.close();
  console.log(n);
}
