// Seed part 4 — identity: currentProcess().name is the name the parent gave (here `t1`), or the
// default `Process-N`; the main process is `MainProcess`.
import { Process, currentProcess, isMainModule } from 'rx-multiprocessing';

export function work(): void {
  console.log(`${currentProcess().name} Starting`);
  console.log(`${currentProcess().name} Exiting`);
}

if (isMainModule(import.meta.url)) {
  const named = new Process({ name: 't1', target: work });
  const unnamed = new Process({ target: work }); // Process-2: the counter counts every Process built
  named.start();
  await named.join();
  unnamed.start();
  await unnamed.join();
  console.log(`${currentProcess().name} done`);
}
