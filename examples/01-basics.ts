// Seed part 1 — basics: five processes run `worker`, each printing `working!`.
// Why it differs from Python: the target must be exported, because each child imports this module
// and calls `worker` by name (Python's spawn start method does the same), and the isMainModule guard
// plays `if __name__ == '__main__':` so that import does not start processes again.
import { Process, isMainModule } from 'rx-multiprocessing';

export function worker(): void {
  console.log('working!');
}

async function main(): Promise<void> {
  const jobs: Process[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: worker });
    jobs.push(p);
    p.start();
  }
  // No join, as in the seed: like Python, the main process stays alive until its non-daemon children end.
}

if (isMainModule(import.meta.url)) await main();
