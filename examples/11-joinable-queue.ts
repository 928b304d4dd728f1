// Seed part 11 — JoinableQueue: three producers (egon1..3) each put three items and then join() the
// queue, which settles only when every item put has been marked done by a consumer's taskDone().
// The two consumers (alex1, alex2) loop forever, so they are daemons: once the producers have ended,
// main prints 主process and exits, and the daemons are terminated with it — no process is left.
// Sleeps are the seed's 1–3 s scaled to 0.1–0.3 s (seed-timing.ts).
import { JoinableQueue, Process, isMainModule } from 'rx-multiprocessing';
import { seedPause } from './seed-timing.js';

export async function consumer(q: JoinableQueue<string>, name: string): Promise<void> {
  for (;;) {
    const res = await q.get();
    await seedPause();
    console.log(`${name} 吃 ${res}`);
    q.taskDone(); // tells q.join() this item is processed
  }
}

export async function producer(q: JoinableQueue<string>, name: string, food: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await seedPause();
    const res = `${food}${i}`;
    await q.put(res);
    console.log(`${name} 生产了 ${res}`);
  }
  await q.join(); // ends only after the consumers have processed everything put so far
}

if (isMainModule(import.meta.url)) {
  const q = new JoinableQueue<string>();
  const producers = [
    new Process({ target: producer, args: [q, 'egon1', '包子'] }),
    new Process({ target: producer, args: [q, 'egon2', '骨头'] }),
    new Process({ target: producer, args: [q, 'egon3', '泔水'] }),
  ];
  const consumers = [
    new Process({ target: consumer, args: [q, 'alex1'] }),
    new Process({ target: consumer, args: [q, 'alex2'] }),
  ];
  for (const c of consumers) c.daemon = true;
  for (const p of [...producers, ...consumers]) p.start();
  for (const p of producers) await p.join();
  console.log('主process');
}
