// Runs every example (examples/NN-*.ts, examples/pipeline.ts and examples/redis-pipeline.ts) the way a user would, with
// `node --import tsx examples/<file>` from the repo root, one after another. An example passes when
// it exits 0 within 60 s and, after a short grace period, no process it started is still alive.
//
//   tsx scripts/run-examples.ts              run them all (npm run examples builds dist/ first)
//   tsx scripts/run-examples.ts 05 pipeline  run the examples whose file name contains 05 or pipeline
//   tsx scripts/run-examples.ts --verbose    also print each example's output
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer, INSTALL_COMMAND } from './redis-server.js';

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Each example is the leader of its own process group and carries a marker in its environment, so
// what it started is found even when other node processes (a test run, say) come and go meanwhile.
function runExample(file: string, marker: string): { child: ChildProcess; done: Promise<Outcome> } {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join('examples', file)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [MARKER_VARIABLE]: marker },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout = keepTail(stdout + chunk.toString());
    if (VERBOSE) process.stdout.write(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = keepTail(stderr + chunk.toString());
    if (VERBOSE) process.stderr.write(chunk);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  }, TIMEOUT_MS);
  const done = new Promise<Outcome>((resolve) => {
    // 'exit', not 'close': a process left behind may hold the pipes open for ever. Give the pipes a
    // moment to deliver what the example wrote last, then read what arrived.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const settle = (): void => resolve({ code, signal, timedOut, ms, stdout, stderr });
      const late = setTimeout(settle, PIPE_GRACE_MS);
      child.once('close', () => {
        clearTimeout(late);
        settle();
      });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, ms: performance.now() - started, stdout, stderr: `${stderr}${error.stack ?? error.message}\n` });
    });
  });
  return { child, done };
}

// The processes still alive that the example started: its process group, plus (on Linux) any process
// whose environment carries the example's marker, which also finds one that left the group.
function findLeftovers(groupId: number | undefined, marker: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' }).split('\n');
  const found = new Map<number, string>();
  const markedPids = findMarkedPids(marker);
  for (const line of lines) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    const pgid = Number(match[2]);
    if (pid === process.pid) continue;
    if (pgid === groupId || markedPids.has(pid)) found.set(pid, `${pid} ${match[3] ?? ''}`);
  }
  return [...found.values()];
}

function findMarkedPids(marker: string): Set<number> {
  const pids = new Set<number>();
  if (!existsSync('/proc/self/environ')) return pids;
  const needle = `${MARKER_VARIABLE}=${marker}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) pids.add(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

// Polls until the example's processes are gone or the grace period ends: daemons get SIGTERM as the
// example exits and children of a dead parent exit within 1 s (the library's no-orphan promise).
async function waitForLeftovers(groupId: number | undefined, marker: string): Promise<string[]> {
  const deadline = performance.now() + LEFTOVER_GRACE_MS;
  let leftovers = findLeftovers(groupId, marker);
  while (leftovers.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftovers = findLeftovers(groupId, marker);
  }
  return leftovers;
}

function signalGroup(groupId: number | undefined, signal: NodeJS.Signals): void {
  if (groupId === undefined) return;
  try {
    process.kill(-groupId, signal);
  } catch {
    // The group is already empty.
  }
}

function keepTail(text: string): string {
  return text.length > TAIL_BYTES ? text.slice(-TAIL_BYTES) : text;
}

function indent(text: string, lines: number): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `     | ${line}`)
    .join('\n');
}

function describeExit(outcome: Outcome): string {
  if (outcome.timedOut) return `timed out after ${TIMEOUT_MS / 1000} s`;
  if (outcome.signal) return `killed by ${outcome.signal}`;
  return `exit code ${outcome.code}`;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 5_000;
const PIPE_GRACE_MS = 500;
const LEFTOVER_GRACE_MS = 2_000;
const TAIL_BYTES = 8_192;
const TAIL_LINES = 20;
const MARKER_VARIABLE = 'RX_MULTIPROCESSING_EXAMPLE_RUN';
const ARGS = process.argv.slice(2);
const VERBOSE = ARGS.includes('--verbose');
const FILTERS = ARGS.filter((arg) => !arg.startsWith('--'));

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/ is missing: the examples import rx-multiprocessing from dist/. Run `npm run build` first (npm run examples does).');
  process.exit(1);
}

// The Redis example starts a throwaway redis-server: without one on PATH it is skipped, saying why.
const withRedis = findRedisServer() !== undefined;
if (!withRedis) console.log(`skip redis-pipeline.ts (no redis-server on PATH; install it with \`${INSTALL_COMMAND}\`)`);
const examples = readdirSync(join(ROOT, 'examples'))
  .filter((file) => /^\d\d-.*\.ts$/.test(file) || file === 'pipeline.ts' || (withRedis && file === 'redis-pipeline.ts'))
  .filter((file) => FILTERS.length === 0 || FILTERS.some((filter) => file.includes(filter)))
  .sort();
if (examples.length === 0) {
  console.error(`No example matches ${FILTERS.join(', ')}.`);
  process.exit(1);
}

// The examples run in their own process groups, so Ctrl-C does not reach them: pass it on.
let current: ChildProcess | undefined;
process.once('SIGINT', () => {
  signalGroup(current?.pid, 'SIGTERM');
  process.exit(130);
});

let failed = 0;
for (const [index, file] of examples.entries()) {
  const marker = `${process.pid}-${index}`;
  const { child, done } = runExample(file, marker);
  current = child;
  const outcome = await done;
  const leftovers = await waitForLeftovers(child.pid, marker);
  current = undefined;
  const ok = outcome.code === 0 && !outcome.timedOut && leftovers.length === 0;
  if (!ok) failed++;
  console.log(`${(ok ? 'ok' : 'FAIL').padEnd(4)} ${file} (${(outcome.ms / 1000).toFixed(1)} s)`);
  if (outcome.code !== 0 || outcome.timedOut) {
    const tail = outcome.stderr.trim() ? outcome.stderr : outcome.stdout;
    console.log(`     ${describeExit(outcome)}; last lines of its ${outcome.stderr.trim() ? 'stderr' : 'stdout'}:`);
    console.log(indent(tail || '(nothing)', TAIL_LINES));
  }
  if (leftovers.length > 0) {
    console.log(`     left ${leftovers.length} process(es) running ${LEFTOVER_GRACE_MS / 1000} s after it ended (now killed):`);
    console.log(leftovers.map((line) => `     | ${line}`).join('\n'));
    for (const line of leftovers) {
      try {
        process.kill(Number.parseInt(line, 10), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
console.log(`${examples.length - failed} of ${examples.length} examples passed`);
process.exitCode = failed > 0 ? 1 : 0;
