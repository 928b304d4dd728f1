// Reference: raw IPC round trips to an echoing child (JSON serialization, no library).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile } from '../stats.js';

export async function runPingPong(n: number): Promise<{ medianUs: number; p99Us: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['echo'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const roundTrip = (i: number): Promise<void> =>
    new Promise((resolve) => {
      child.once('message', () => resolve());
      child.send(i);
    });
  for (let i = 0; i < 200; i++) await roundTrip(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await roundTrip(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  child.kill();
  samples.sort((a, b) => a - b);
  return { medianUs: percentile(samples, 0.5), p99Us: percentile(samples, 0.99) };
}

if (process.argv[2] === 'echo') process.on('message', (m) => process.send?.(m));
