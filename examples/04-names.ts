// Seed part 4 — identity: `current_process().name` is `MainProcess` in the main process, the `name`
// given to the Process (`t1`), or the default `Process-N`. Prints `t1 Starting`, `Process-2 Starting`,
// `Process-3 Starting` and their `… Exiting` lines (concurrent, so in any order).
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, currentProcess, isMainModule } from 'rx-multiprocessing';

export async function work(): Promise<void> {
  const name = currentProcess().name;
  console.log(name, 'Starting');
  await sleep(200); // ms, not seconds: every duration in this library is in milliseconds
  console.log(name, 'Exiting');
}

async function main(): Promise<void> {
  console.log(currentProcess().name); // MainProcess
  const t = new Process({ name: 't1', target: work });
  // Default names count every Process built in this process, named or not, as CPython does: 2 and 3.
  const jobs = [t, new Process({ target: work }), new Process({ target: work })];
  for (const p of jobs) p.start();
  for (const p of jobs) await p.join();
}

if (isMainModule(import.meta.url)) await main();
