// Seed part 9 — multiprocessing.Queue(3): three puts fill it, three gets return 1, 2, 3, then it is empty.
// put/get return Promises here (nothing blocks in Node), so each is awaited.
import { Queue, isMainModule } from 'rx-multiprocessing';

async function main(): Promise<void> {
  const q = new Queue<number>(3);
  await q.put(1);
  await q.put(2);
  await q.put(3);
  console.log(q.full()); // true
  console.log(await q.get());
  console.log(await q.get());
  console.log(await q.get());
  console.log(q.empty()); // true
}

if (isMainModule(import.meta.url)) await main();
