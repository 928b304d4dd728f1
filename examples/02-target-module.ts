// Seed part 2 — the target comes from another module: `worker` from ./worker.ts. The library finds
// the module that defines the function, so the child imports ./worker.ts, not this script.
import { Process, isMainModule } from 'rx-multiprocessing';
import { worker } from './worker.js';

if (isMainModule(import.meta.url)) {
  const jobs: Process[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: worker });
    jobs.push(p);
    p.start();
  }
}
