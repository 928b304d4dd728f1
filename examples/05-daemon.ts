// Seed part 5 — daemon processes and join(timeout). A daemon is terminated when the main program
// exits, so no orphan is left; join() waits forever, join(ms) at most ms milliseconds (Python: seconds)
// and settles either way — exitCode tells whether the process ended.
import { Process, isMainModule } from 'rx-multiprocessing';

export async function daemon(): Promise<void> {
  console.log('daemon Starting');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  console.log('daemon Exiting'); // never printed: main exits first and takes the daemon with it
}

export function nonDaemon(): void {
  console.log('non-daemon Starting');
  console.log('non-daemon Exiting');
}

if (isMainModule(import.meta.url)) {
  const d = new Process({ name: 'daemon', target: daemon });
  d.daemon = true;
  const n = new Process({ name: 'non-daemon', target: nonDaemon });
  d.start();
  n.start();
  await d.join(500); // gives up after 0.5 s: the daemon still runs
  console.log('d.isAlive()', d.isAlive(), 'd.exitCode', d.exitCode);
  await n.join();
  console.log('n.exitCode', n.exitCode);
}
