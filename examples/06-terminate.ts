// Seed part 6 — terminate() ends the child; the exit status is in `exitCode`:
//   0 no error; > 0 the process exited with that error code; < 0 killed by signal -exitCode.
// Why it differs from Python: `exitCode` is a property, as Python's `exitcode` is (not a method), and
// is `null` until the exit is seen; terminate() does not wait, so join() — a Promise — is awaited.
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainModule } from 'rx-multiprocessing';

export async function slowWorker(): Promise<void> {
  console.log('Starting worker');
  await sleep(100);
  console.log('Finished worker');
}

// One target per row of the seed's table, named after what it does.
export function exitError(): void {
  process.exit(1); // Python's sys.exit(1)
}
export function exitOk(): void {}
export function returnValue(): number {
  return 1; // a return value is not an exit code: exits 0
}
export function raises(): void {
  throw new Error('There was an error!'); // prints `Process raises:` and the stack on stderr, exits 1
}
export async function terminated(): Promise<void> {
  await sleep(3000);
}

async function main(): Promise<void> {
  const p = new Process({ target: slowWorker });
  console.log('BEFORE:', p.name, 'exitCode', p.exitCode, 'isAlive', p.isAlive());
  p.start();
  console.log('DURING:', p.name, 'exitCode', p.exitCode, 'isAlive', p.isAlive());
  p.terminate(); // SIGTERM, at once: the worker usually dies before it prints anything
  console.log('TERMINATED:', p.name, 'exitCode', p.exitCode, 'isAlive', p.isAlive());
  await p.join();
  console.log('JOINED:', p.name, 'exitCode', p.exitCode, 'isAlive', p.isAlive()); // -15 = SIGTERM

  const jobs = [exitError, exitOk, returnValue, raises, terminated].map((f) => {
    const j = new Process({ target: f, name: f.name });
    j.start();
    if (j.name === 'terminated') j.terminate();
    return j;
  });
  for (const j of jobs) {
    await j.join();
    console.log(`${j.name.padStart(15)}.exitCode = ${j.exitCode}`);
  }
}

if (isMainModule(import.meta.url)) await main();
