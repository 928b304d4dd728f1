import { availableParallelism } from 'node:os';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { getRuntime } from '../internal/runtime.js';
import type { Process } from './process.js';

/**
 * What {@link currentProcess} tells about the running process.
 *
 * @example
 * ```ts
 * const me: CurrentProcessInfo = currentProcess();
 * console.log(me.name, me.pid, me.daemon); // MainProcess 12345 false
 * ```
 */
export interface CurrentProcessInfo {
  /** `'MainProcess'` in the main process; the name its parent gave it in a child. */
  readonly name: string;
  /** This process's OS pid (the program's own in a worker thread). */
  readonly pid: number;
  /** Whether this process is a daemon (false in the main process). */
  readonly daemon: boolean;
}

/**
 * What {@link parentProcess} tells about the process that started this one.
 *
 * @example
 * ```ts
 * const parent: ParentProcessInfo | null = parentProcess();
 * if (parent && !parent.isAlive()) process.exit(1);
 * ```
 */
export interface ParentProcessInfo {
  /** The parent's name (`'MainProcess'`, `Process-1`, …). */
  readonly name: string;
  /** The parent's OS pid. */
  readonly pid: number;
  /** False once the parent has exited (its IPC channel closed). */
  isAlive(): boolean;
}

/**
 * Python's `multiprocessing.current_process()`: `MainProcess` in the main process, the name the
 * parent gave it in a child.
 *
 * @example
 * ```ts
 * console.log(currentProcess().name); // 'MainProcess', or 'Process-1' in a child
 * ```
 */
export function currentProcess(): CurrentProcessInfo {
  const runtime = getRuntime();
  return { name: runtime.name, pid: process.pid, daemon: runtime.daemon };
}

/**
 * Python's `multiprocessing.parent_process()`: null in the main process.
 *
 * @example
 * const parent = parentProcess();
 * if (parent) console.log(`started by ${parent.name} (${parent.pid})`);
 */
export function parentProcess(): ParentProcessInfo | null {
  const parent = getRuntime().parent;
  if (!parent) return null;
  return { name: parent.name, pid: parent.pid, isAlive: () => process.connected };
}

/**
 * Python's `multiprocessing.active_children()`: the live children of this process, as a new array.
 *
 * @example
 * ```ts
 * export function forever(): void { setInterval(() => {}, 1000); }
 * if (isMainModule(import.meta.url)) {
 *   new Process({ target: forever }).start();
 *   for (const child of activeChildren()) child.terminate();
 * }
 * ```
 */
export function activeChildren(): Process[] {
  return [...getRuntime().children].filter((child) => child.isAlive()) as Process[];
}

/**
 * Python's `if __name__ == '__main__':` for ES modules: true only in the script Node was started
 * with, never in a child process importing that script for its target.
 *
 * @example
 * ```ts
 * export function worker(): void { console.log(`in ${currentProcess().name}`); }
 * if (isMainModule(import.meta.url)) {
 *   // Runs only in the script Node started, not in a child that imports this file for `worker`.
 *   new Process({ target: worker }).start();
 * }
 * ```
 */
export function isMainModule(moduleUrl: string): boolean {
  if (getRuntime().parent !== null) return false;
  const entry = process.argv[1];
  if (!entry) return false;
  return moduleUrl === pathToFileURL(entry).href || moduleUrl === pathToFileURL(resolveReal(entry)).href;
}

/**
 * Python's `multiprocessing.cpu_count()`: the number of CPUs this process may use.
 *
 * @example
 * ```ts
 * export function worker(i: number): void { console.log(i); }
 * if (isMainModule(import.meta.url)) {
 *   const jobs = Array.from({ length: cpuCount() }, (_, i) => new Process({ target: worker, args: [i] }));
 *   jobs.forEach((p) => p.start());
 * }
 * ```
 */
export function cpuCount(): number {
  return availableParallelism();
}

function resolveReal(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
