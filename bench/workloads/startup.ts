// Start-up: Process.start() -> exit for a trivial target, against a raw fork of an empty script.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Process } from 'rx-multiprocessing';
import { summarize } from '../stats.js';
import { trivial } from './startup-target.js';

export async function runProcessStart(n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const p = new Process({ target: trivial });
    p.start();
    await p.join();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarize(times).median;
}

export async function runRawForkStart(n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rxmp-bench-'));
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, '');
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const child = fork(empty, [], { stdio: 'inherit' });
      await new Promise((resolve) => child.once('exit', resolve));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return summarize(times).median;
}
