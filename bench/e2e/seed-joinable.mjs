// The seed's shape with Python's API: 3 producer Processes put into a JoinableQueue(1000), 2 daemon
// consumer Processes get and taskDone(); main joins the producers, then the queue.
// `node bench/e2e/seed-joinable.mjs 20000` prints the number of items put.
import { JoinableQueue, Process, isMainModule } from 'rx-multiprocessing';
import { mark } from './trace.mjs';

export async function produce(q, from, to) {
  mark('producer-up');
  for (let i = from; i < to; i++) await q.put(`item${i}`);
}

export async function eat(q) {
  mark('consumer-up');
  await q.get();
  mark('first-consumed');
  q.taskDone();
  for (;;) {
    await q.get();
    q.taskDone();
  }
}

if (isMainModule(import.meta.url)) {
  mark('imported');
  const n = Number(process.argv[2] ?? 20_000);
  const per = Math.ceil(n / 3);
  const q = new JoinableQueue(1000);
  const consumers = [0, 1].map(() => new Process({ target: eat, args: [q], daemon: true }));
  const producers = [0, 1, 2].map((p) => new Process({ target: produce, args: [q, p * per, Math.min(n, (p + 1) * per)] }));
  mark('start');
  for (const c of consumers) c.start();
  for (const p of producers) p.start();
  for (const p of producers) await p.join();
  await q.join();
  mark('complete');
  process.on('exit', () => mark('exit'));
  console.log(n);
}
