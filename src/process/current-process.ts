import { availableParallelism } from 'node:os';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { getRuntime } from '../internal/runtime.js';
import type { Process } from './process.js';

/** What {@link currentProcess} tells about the running process. */
export interface CurrentProcessInfo {
  readonly name: string;
  readonly pid: number;
  readonly daemon: boolean;
}

/** What {@link parentProcess} tells about the process that started this one. */
export interface ParentProcessInfo {
  readonly name: string;
  readonly pid: number;
  /** False once the parent has exited (its IPC channel closed). */
  isAlive(): boolean;
}

/**
 * Python's `multiprocessing.current_process()`: `MainProcess` in the main process, the name the
 * parent gave it in a child.
 *
 * @example
 * console.log(currentProcess().name); // 'MainProcess', or 'Process-1' in a child
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
 * for (const child of activeChildren()) child.terminate();
 */
export function activeChildren(): Process[] {
  return [...getRuntime().children].filter((child) => child.isAlive()) as Process[];
}

/**
 * Python's `if __name__ == '__main__':` for ES modules: true only in the script Node was started
 * with, never in a child process importing that script for its target.
 *
 * @example
 * if (isMainModule(import.meta.url)) { new Process({ target: worker }).start(); }
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
 * const pool = Array.from({ length: cpuCount() }, () => new Process({ target: worker }));
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
