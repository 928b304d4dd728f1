// Start-up cost: Process.start() → exit for a trivial target, against a raw child_process.fork of an
// empty script. Sequential, median of N. Run with plain node (compiled library) or `node --import tsx`.
import { fork } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Process, isMainModule } from 'rx-multiprocessing';

export function trivial() {}

async function timeRaw(script) {
  const t0 = process.hrtime.bigint();
  const child = fork(script, [], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('exit', resolve));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timeProcess() {
  const t0 = process.hrtime.bigint();
  const p = new Process({ target: trivial });
  p.start();
  await p.join();
  if (p.exitCode !== 0) throw new Error(`exit ${p.exitCode}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (isMainModule(import.meta.url)) {
  const n = Number(process.argv[2] ?? 20);
  const empty = join(mkdtempSync(join(tmpdir(), 'rxmp-bench-')), 'empty.mjs');
  writeFileSync(empty, '');
  await timeRaw(empty);
  await timeProcess();
  const raw = [];
  const lib = [];
  for (let i = 0; i < n; i++) {
    raw.push(await timeRaw(empty));
    lib.push(await timeProcess());
  }
  const result = { loader: process.execArgv.join(' ') || 'node', n, rawForkMs: median(raw), processMs: median(lib) };
  result.ratio = result.processMs / result.rawForkMs;
  console.log(JSON.stringify(result));
}
