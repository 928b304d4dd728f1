// `startup.spare`: Process.start() -> target running, with a spare ready ('forkserver'), against the
// same figure for a cold child ('spawn'). Both time the target's first line, not its exit.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, setStartMethod, type StartMethod } from 'rx-multiprocessing';
import { summarize } from '../stats.js';
import { markRunning } from './spare-target.js';

// Long enough for the replacement spare to boot after each start, with NODE_EXTRA_CA_CERTS set
// (~150-250 ms on the loaded 2-core machine).
const SETTLE_MS = 400;

export function spareStartupWorkload(smoke: boolean) {
  const n = smoke ? 2 : 5;
  return {
    key: 'startup.spare',
    unit: 'ms to target',
    lowerIsBetter: true,
    ours: [{ name: 'spare', run: () => runStartToTarget('forkserver', n) }],
    references: [{ name: 'Cold', run: () => runStartToTarget('spawn', n) }],
  };
}

export async function runStartToTarget(method: StartMethod, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rxmp-bench-spare-'));
  const previous = setStartMethod(method);
  const times: number[] = [];
  try {
    // The first start of a run finds no spare (the pool follows demand): it is not counted.
    for (let i = -1; i < n; i++) {
      const file = join(dir, `t${i}`);
      const p = new Process({ target: markRunning, args: [file] });
      const t0 = process.hrtime.bigint();
      p.start();
      await p.join();
      if (i >= 0) times.push(Number(BigInt(readFileSync(file, 'utf8')) - t0) / 1e6);
      if (method === 'forkserver') await sleep(SETTLE_MS);
    }
  } finally {
    setStartMethod(previous);
    rmSync(dir, { recursive: true, force: true });
  }
  return summarize(times).median;
}
