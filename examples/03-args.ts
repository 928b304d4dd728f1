// Seed part 3 — arguments: `Process(target=worker, args=(i,))` prints worker0 … worker4.
// Python pickles the arguments; here they travel by structured clone, so they must be data: a
// function or a symbol in `args` makes start() throw a SerializationError and forks nothing.
// The five children run concurrently, so the lines may come in any order.
import { Process, isMainModule } from 'rx-multiprocessing';

export function worker(i: number): void {
  console.log(`worker${i}`);
}

async function main(): Promise<void> {
  const jobs: Process[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: worker, args: [i] });
    jobs.push(p);
    p.start();
  }
}

if (isMainModule(import.meta.url)) await main();
