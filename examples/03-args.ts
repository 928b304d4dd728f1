// Seed part 3 — arguments: worker0 … worker4. Arguments travel by structured clone (Python: pickle),
// so they must be data: a function or a symbol makes start() throw a SerializationError.
import { Process, isMainModule } from 'rx-multiprocessing';

export function worker(i: number): void {
  console.log(`worker${i}`);
}

if (isMainModule(import.meta.url)) {
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: worker, args: [i] });
    p.start();
    await p.join(); // in order, so the output reads worker0 … worker4 as in the seed
  }
}
