// Whole programs timed from outside, as a user (or /usr/bin/time) times them: from spawn to the
// process's exit, Node's own start, the library's import, the children and the teardown included.
// The programs are in bench/e2e/ (plain ESM run by plain `node` against the built library, as a
// user's app) and bench/py/seed.py; each prints its item count, which is checked. A program that
// exits 78 says the library lacks what it needs (a Pool, the thread context): its variant is then
// reported as unavailable, and not run again.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarize } from '../stats.js';

/** Whether a run keeps this machine's NODE_EXTRA_CA_CERTS (every Node start parses it) or drops it. */
export type CaMode = 'withCA' | 'noCA';
export const CA_MODES: readonly CaMode[] = ['withCA', 'noCA'];

/** What a program exits with when the library lacks the API it needs. */
const UNAVAILABLE = 78;

/**
 * Set on a variant's first run only (its warm-up): the program then checks that the library did what
 * was asked rather than ignore an option it does not know (consume's `pool`, `context: 'thread'`), at
 * a cost the timed runs do not pay.
 */
const CHECK = 'RXMP_E2E_CHECK';

const PROGRAM_TIMEOUT_MS = 120_000;

export function envFor(ca: CaMode): NodeJS.ProcessEnv {
  if (ca === 'withCA') return process.env;
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  return env;
}

export function e2eProgram(name: string): string {
  return fileURLToPath(new URL(`../../e2e/${name}`, import.meta.url));
}

export interface ProgramRun {
  /** Spawn to exit, ms. */
  readonly ms: number;
  /** performance.timeOrigin + performance.now() just before spawn: the marks' clock. */
  readonly spawnedAt: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runProgram(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.timeOrigin + performance.now();
    const t0 = process.hrtime.bigint();
    // A program that hangs is killed (its children see their parent die and exit) and counts as failed.
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: PROGRAM_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    // 'exit' is the process's own end, what /usr/bin/time waits for; the pipes may be held a little
    // longer by daemon children being torn down, so the output is read on 'close'.
    child.once('exit', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      child.once('close', () => resolve({ ms, spawnedAt, code, signal, stdout, stderr }));
    });
  });
}

/**
 * One whole-program variant: spawns `command args` and returns its wall time, or undefined for a run
 * that failed, and for every run once the program said the library lacks its API. Failures are
 * counted and the variant keeps running: a program that fails now and then gets its figure from the
 * other runs, and the note says how often and how it failed. A failing variant must not stop the
 * other workloads, and must not hide either. A plain object, as run.ts spreads its variants.
 */
export interface ProgramVariant {
  readonly name: string;
  readonly run: () => Promise<number | undefined>;
  readonly note: () => string | undefined;
}

export function programVariant(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, expected: string): ProgramVariant {
  let unavailable: string | undefined;
  let runs = 0;
  const failures: string[] = [];
  return {
    name,
    run: async () => {
      if (unavailable !== undefined) return undefined;
      const result = await runProgram(command, args, runs === 0 ? { ...env, [CHECK]: '1' } : env);
      runs++;
      if (result.code === UNAVAILABLE) unavailable = result.stdout.trim().split('\n').pop() ?? 'unavailable';
      const failed = unavailable === undefined ? failure(result, expected) : undefined;
      if (failed !== undefined) failures.push(failed);
      return unavailable === undefined && failed === undefined ? result.ms : undefined;
    },
    note: () => unavailable ?? (failures.length > 0 ? `${failures.length} of ${runs} runs failed, first: ${failures[0]}` : undefined),
  };
}

function failure(result: ProgramRun, expected: string): string | undefined {
  const out = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code === UNAVAILABLE) return out;
  if (result.code === 0 && out === expected) return undefined;
  const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
  return `failed (exit ${result.code ?? result.signal}, printed ${JSON.stringify(out)}): ${tail}`;
}

/** The same shape as run.ts's workloads (structural, so this module needs nothing from run.ts). */
export interface ProgramWorkload {
  readonly key: string;
  readonly unit: string;
  readonly lowerIsBetter: boolean;
  readonly ours: ProgramVariant[];
  readonly references: ProgramVariant[];
}

/**
 * The seed's shape with the Rx operators; JoinableQueue + Process; consume({ pool }); context:
 * 'thread'; setStartMethod('forkserver') (spare processes, opt-in); and (-split) the Rx, Pool and
 * thread programs with their targets in a module that does not import RxJS
 * (bench/e2e/seed-targets.mjs), so the children do not load it.
 */
export const SEED_VARIANTS = ['rx', 'rx-split', 'joinable', 'pool', 'pool-split', 'thread', 'thread-split', 'forkserver'] as const;
export type SeedVariant = (typeof SEED_VARIANTS)[number];

export function seedWorkload(label: string, n: number, python: string | undefined, caModes: readonly CaMode[] = CA_MODES): ProgramWorkload {
  const ours = SEED_VARIANTS.flatMap((variant) =>
    caModes.map((ca) => programVariant(`${variant}.${ca}`, process.execPath, seedProgram(variant, n), envFor(ca), String(n))),
  );
  const seedPy = fileURLToPath(new URL('../../py/seed.py', import.meta.url));
  const references = python ? [programVariant('Python', python, [seedPy, String(n)], process.env, String(n))] : [];
  return { key: `e2e.seed.${label}`, unit: 'ms, spawn to exit', lowerIsBetter: true, ours, references };
}

/** Where one whole program's time went, in ms along its critical path (NaN where a mark is missing). */
export interface Breakdown {
  readonly total: number;
  /** Spawn to Node booted in the program (before any of its modules is read). */
  readonly nodeStart: number;
  /** Node booted to the program's first line: the library, RxJS and the program's modules loaded. */
  readonly importLibrary: number;
  /** The program's first line to the pipeline's start. */
  readonly setup: number;
  /** Start to the last child's Node booted: the forks and their Node start, all at once on the cores (0 for threads). */
  readonly childrenBooted: number;
  /** Last child booted to the last one running its target: bootstrap, handshake, target import (threads: their whole start). */
  readonly childrenReady: number;
  /** Every child running to completion: the items themselves. */
  readonly run: number;
  /** Completion to the exit the harness saw: teardown, daemons terminated, Node's exit. */
  readonly teardown: number;
  /** Start to the first item taken by a consumer. */
  readonly firstItem: number;
  /** Per child, median: its process start to Node booted, and booted to its target running. */
  readonly childNodeStart: number;
  readonly childBootToTarget: number;
}

export const BREAKDOWN_PHASES = ['nodeStart', 'importLibrary', 'setup', 'childrenBooted', 'childrenReady', 'run', 'teardown'] as const;

interface Mark {
  readonly rxmpMark: string;
  /** The pid, or `pid:threadId` in a worker thread. */
  readonly pid: number | string;
  readonly origin: number;
  readonly t: number;
}

/** The program of a variant and its arguments: 'forkserver' is the Rx program given that start method. */
function seedProgram(variant: SeedVariant, n: number): string[] {
  return variant === 'forkserver' ? [e2eProgram('seed-rx.mjs'), String(n), 'forkserver'] : [e2eProgram(`seed-${variant}.mjs`), String(n)];
}

/** Runs the seed program once with marks (RXMP_E2E_TRACE, and bench/e2e/boot.mjs imported in every process). */
export async function traceSeed(variant: SeedVariant, n: number, ca: CaMode): Promise<Breakdown | string> {
  const boot = new URL('../../e2e/boot.mjs', import.meta.url).href;
  const result = await runProgram(process.execPath, [`--import=${boot}`, ...seedProgram(variant, n)], { ...envFor(ca), RXMP_E2E_TRACE: '1' });
  const why = failure(result, String(n));
  if (why !== undefined) return why;
  const marks: Mark[] = [];
  for (const line of result.stderr.split('\n')) {
    if (!line.startsWith('{"rxmpMark"')) continue;
    try {
      marks.push(JSON.parse(line) as Mark);
    } catch {
      // A line cut by another process's write: the mark is lost, its phase reads NaN.
    }
  }
  const parentPid = marks.find((m) => m.rxmpMark === 'imported')?.pid;
  const at = (event: string, pid = parentPid): number => marks.find((m) => m.rxmpMark === event && m.pid === pid)?.t ?? NaN;
  const children = [...new Set(marks.filter((m) => m.pid !== parentPid).map((m) => m.pid))];
  const childBoot = children.map((pid) => at('boot', pid));
  // A child's target is running at its first mark other than boot (producer-up, consumer-up, or its first item).
  const childUp = children.map((pid) => earliest(marks, pid));
  // Worker threads get no --import, so no boot mark: their start is all in childrenReady.
  const lastBoot = children.length === 0 ? NaN : childBoot.every(Number.isNaN) ? at('start') : Math.max(...childBoot);
  const lastUp = children.length > 0 ? Math.max(...childUp) : NaN;
  const start = at('start');
  const complete = at('complete');
  const exitAt = result.spawnedAt + result.ms;
  return {
    total: result.ms,
    nodeStart: at('boot') - result.spawnedAt,
    importLibrary: at('imported') - at('boot'),
    setup: start - at('imported'),
    childrenBooted: lastBoot - start,
    childrenReady: lastUp - lastBoot,
    run: complete - lastUp,
    teardown: exitAt - complete,
    firstItem: Math.min(...marks.filter((m) => m.rxmpMark === 'first-consumed').map((m) => m.t)) - start,
    childNodeStart: median(children.map((pid, i) => (childBoot[i] as number) - (marks.find((m) => m.pid === pid)?.origin ?? NaN))),
    childBootToTarget: median(children.map((_, i) => (childUp[i] as number) - (childBoot[i] as number))),
  };
}

function earliest(marks: readonly Mark[], pid: number | string): number {
  const times = marks.filter((m) => m.pid === pid && m.rxmpMark !== 'boot').map((m) => m.t);
  return times.length > 0 ? Math.min(...times) : NaN;
}

function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? summarize(finite).median : NaN;
}

/** The median of each phase over several traced runs. */
export function medianBreakdown(runs: readonly Breakdown[]): Breakdown {
  const keys = Object.keys(runs[0] as Breakdown) as (keyof Breakdown)[];
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((r) => r[key]))])) as unknown as Breakdown;
}
