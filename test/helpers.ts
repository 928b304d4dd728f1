// Shared test helpers: temp files for children to report into, pid checks, and a leak guard.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { fileURLToPath } from 'node:url';
import type { Observable } from 'rxjs';
import { activeChildren } from '../src/index.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The URL of a module under test/fixtures/ as the running suite has it: `.js` in the compiled tree
 * `npm test` runs (scripts/test-build.mjs), `.ts` from source under tsx. A child imports a
 * `{ module, export }` target by this URL with no TypeScript loader of its own in the compiled tree.
 */
export function fixtureModule(name: string): URL {
  return new URL(`fixtures/${name}${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);
}

// `node --import tsx`, not the tsx CLI: the CLI is a wrapper process, and tests must signal the real parent.
const TS_LOADER = ['--import', 'tsx'];

let dir: string | undefined;
let counter = 0;

/** A fresh path in this run's temp folder. */
export function tempFile(name = 'out'): string {
  dir ??= mkdtempSync(join(tmpdir(), 'rxmp-test-'));
  return join(dir, `${name}-${++counter}.bin`);
}

export function readRecord<T>(file: string): T {
  return deserialize(readFileSync(file)) as T;
}

export function removeTempFiles(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/** True while `pid` runs. A zombie (exited, not yet reaped by an init that never reaps) counts as gone. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` is true or `ms` pass; returns the last result. */
export async function waitFor(check: () => boolean, ms: number, every = 20): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return check();
}

export async function waitForFile(file: string, ms = 10_000): Promise<void> {
  if (!(await waitFor(() => existsSync(file), ms))) throw new Error(`${file} was not written within ${ms} ms`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a driver script (TypeScript, through tsx) as a separate parent process and collects its output. */
export function runScript(script: string, args: string[] = [], options: { node?: boolean; timeoutMs?: number; nodeFlags?: string[] } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...(options.nodeFlags ?? []), ...(options.node ? [] : TS_LOADER), script, ...args], { cwd: ROOT, timeout: options.timeoutMs ?? 30_000 }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== 'number' && !(error as { signal?: unknown }).signal) return reject(error);
      const e = error as { code?: number; signal?: NodeJS.Signals } | null;
      resolve({ code: e?.code ?? 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** Starts a driver script without waiting for it. */
export function spawnScript(script: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [...TS_LOADER, script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Leak guard: every test must leave no live child behind. */
export function assertNoChildrenLeft(): void {
  const alive = activeChildren();
  for (const child of alive) child.kill();
  if (alive.length > 0) throw new Error(`test left ${alive.length} live child process(es): ${alive.map((c) => c.name).join(', ')}`);
}

/** Leak guard for operators, whose teardown signals children without waiting: allow them a moment to exit. */
export async function assertChildrenExitSoon(ms = 3000): Promise<void> {
  await waitFor(() => activeChildren().length === 0, ms);
  assertNoChildrenLeft();
}

/** The error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/**
 * SIGKILLs the consumer that sent `result` (its pid). A consumer thread has this process's pid: it is
 * found by its name (currentProcess().name in the handler) and ended with kill(), as abruptly.
 */
export function killConsumer(result: { readonly pid: number; readonly name?: string }): void {
  if (result.pid !== process.pid) {
    process.kill(result.pid, 'SIGKILL');
    return;
  }
  const victim = activeChildren().find((child) => child.name === result.name);
  if (!victim) throw new Error(`no live consumer thread named ${String(result.name)}`);
  victim.kill();
}

/** Runs `results$` to completion, SIGKILLing the consumer that sent the 5th result: every result, and that pid. */
export function killConsumerMidStream<R extends { readonly pid: number; readonly name?: string }>(results$: Observable<R>): Promise<{ seen: R[]; killed: number | undefined }> {
  const seen: R[] = [];
  let killed: number | undefined;
  return new Promise((resolve, reject) => {
    results$.subscribe({
      next: (r) => {
        seen.push(r);
        if (seen.length === 5 && killed === undefined) {
          killed = r.pid;
          killConsumer(r);
        }
      },
      error: reject,
      complete: () => resolve({ seen, killed }),
    });
  });
}

/** The pids of this process's live children, from /proc (not from the library's own bookkeeping). */
export function childPidsOf(parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}
