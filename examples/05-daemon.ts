// Seed part 5 — daemon processes and join(timeout). A daemon is terminated automatically when the
// main program exits, so no orphan is left. join() waits forever; join(timeout) returns after at most
// `timeout` even if the process still runs.
// Why it differs from Python: join() returns a Promise to await (nothing blocks in Node), it settles
// the same way on exit and on timeout (read isAlive()/exitCode to tell which), and the timeout is in
// milliseconds. The times are the classic version of this demo's (the daemon sleeps 2 s, main joins it
// for 1 s), written in ms; its 1 s pause between the two start() calls is dropped to keep the run short.
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, currentProcess, isMainModule } from 'rx-multiprocessing';

export async function daemon(): Promise<void> {
  const p = currentProcess();
  console.log('Starting:', p.name, p.pid);
  await sleep(2000);
  console.log('Exiting :', p.name, p.pid); // never printed: the main program ends first and terminates it
}

export function nonDaemon(): void {
  const p = currentProcess();
  console.log('Starting:', p.name, p.pid);
  console.log('Exiting :', p.name, p.pid);
}

async function main(): Promise<void> {
  const d = new Process({ name: 'daemon', target: daemon });
  d.daemon = true; // before start(), as in Python
  const n = new Process({ name: 'non-daemon', target: nonDaemon });
  n.daemon = false;

  d.start();
  n.start();

  await d.join(1000); // gives up after 1 s: the daemon is still sleeping
  console.log('d.isAlive()', d.isAlive(), 'd.exitCode', d.exitCode); // true null
  await n.join(); // no timeout: waits until it ends
  console.log('n.isAlive()', n.isAlive(), 'n.exitCode', n.exitCode); // false 0
}

if (isMainModule(import.meta.url)) await main();
