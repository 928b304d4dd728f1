// Seed part 10 — producer–consumer through a Queue: egon produces 包子0..2, alex eats them.
// The seed's consumer loops on `q.get()` forever, so the Python program never ends once the three
// buns are eaten: nothing tells the consumer that production is over. Here the consumer waits at
// most IDLE_MS for the next bun and then leaves — a timeout standing in for the end-of-stream signal
// that JoinableQueue (part 11) provides properly. Sleeps are the seed's 1–3 s scaled to 0.1–0.3 s (seed-timing.ts).
import { Process, Queue, QueueEmptyError, isMainModule } from 'rx-multiprocessing';
import { seedPause } from './seed-timing.js';

const IDLE_MS = 1500;

export async function consumer(q: Queue<string>, name: string): Promise<void> {
  for (;;) {
    let res: string;
    try {
      res = await q.get({ timeout: IDLE_MS }); // the naive `await q.get()` would wait forever here
    } catch (error) {
      if (error instanceof QueueEmptyError) return; // nothing for IDLE_MS: assume production is over
      throw error;
    }
    await seedPause();
    console.log(`${name} 吃了 ${res}`);
  }
}

export async function producer(q: Queue<string>, name: string, food: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await seedPause();
    const res = `${food}${i}`;
    await q.put(res);
    console.log(`${name} 生产了 ${res}`);
  }
}

if (isMainModule(import.meta.url)) {
  const q = new Queue<string>();
  const p1 = new Process({ target: producer, args: [q, 'egon', '包子'] });
  const c1 = new Process({ target: consumer, args: [q, 'alex'] });
  p1.start();
  c1.start();
  console.log('主');
  // Node stays alive while non-daemon children run (Python joins them at exit), so the queue's owner
  // — this process — outlives both.
}
