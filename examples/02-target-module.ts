// Seed part 2 — the target comes from another module: `target=worker.worker` with worker.py.
// The library finds the module that exports the function, so each child imports ./worker.ts (not
// this script) and calls its `worker`, which prints `worker`.
import { Process, isMainModule } from 'rx-multiprocessing';
import * as worker from './worker.js';

async function main(): Promise<void> {
  const jobs: Process[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: worker.worker });
    jobs.push(p);
    p.start();
  }
}

if (isMainModule(import.meta.url)) await main();
