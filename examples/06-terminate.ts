// Seed part 6 — terminate() and exitCode. exitCode is a property: null while running, 0 without
// error, > 0 for an error exit, and -N when the process was killed by signal N (SIGTERM → -15).
import { Process, isMainModule } from 'rx-multiprocessing';

export async function slowWorker(): Promise<void> {
  console.log('Starting worker');
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  console.log('Finished worker'); // never printed
}

export function failingWorker(): void {
  process.exit(3);
}

if (isMainModule(import.meta.url)) {
  const p = new Process({ target: slowWorker });
  console.log('BEFORE:', p.exitCode, p.isAlive());
  p.start();
  console.log('DURING:', p.exitCode, p.isAlive());
  await new Promise((resolve) => setTimeout(resolve, 300));
  p.terminate();
  console.log('TERMINATED:', p.exitCode, p.isAlive()); // terminate() does not wait
  await p.join();
  console.log('JOINED:', p.exitCode, p.isAlive()); // -15: killed by SIGTERM

  const f = new Process({ target: failingWorker });
  f.start();
  await f.join();
  console.log('error exit:', f.exitCode); // 3
}
