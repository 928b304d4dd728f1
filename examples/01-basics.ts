// Seed part 1 — basics: five processes run `worker`, each printing `working!`.
// The target must be exported: each child imports this module and calls `worker` by name, as
// Python's spawn start method does. The isMainModule guard keeps children from re-running main.
import { Process, isMainModule } from 'rx-multiprocessing';

export function worker(): void {
  console.log('working!');
}

if (isMainModule(import.meta.url)) {
  const jobs: Process[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: worker });
    jobs.push(p);
    p.start();
  }
}
