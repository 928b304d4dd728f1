// put -> get round trip between two processes through two library queues owned by the parent.
import { Process, Queue } from 'rx-multiprocessing';
import { percentile } from '../stats.js';

export async function echo(inbox: Queue<number>, outbox: Queue<number>): Promise<void> {
  for (;;) {
    const item = await inbox.get();
    if (item < 0) return;
    await outbox.put(item);
  }
}

export async function runQueueRoundTrip(n: number): Promise<{ medianUs: number; p99Us: number }> {
  const inbox = new Queue<number>();
  const outbox = new Queue<number>();
  const child = new Process({ target: echo, args: [inbox, outbox] });
  child.start();
  for (let i = 0; i < 200; i++) {
    await inbox.put(i);
    await outbox.get();
  }
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await inbox.put(i);
    await outbox.get();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  await inbox.put(-1);
  await child.join();
  samples.sort((a, b) => a - b);
  return { medianUs: percentile(samples, 0.5), p99Us: percentile(samples, 0.99) };
}
