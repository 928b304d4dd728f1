import { assertCloneable } from '../internal/serialize.js';
import { locateExportedFunction, type ModuleExportRef } from '../internal/function-locator.js';
import { encodeQueues } from '../queue/queue-handles.js';
import { cpuCount } from '../process/current-process.js';
import { readSignal } from '../internal/abort.js';
import { kindOf, show, validateOptionsObject } from '../operators/option-checks.js';
import type { PoolContext } from './pool-worker.js';
import { getStartMethod } from '../operators/start-method.js';

/**
 * Options of {@link Pool}, as Python's `Pool(processes, initializer, initargs, maxtasksperchild)`.
 * `I` types `initargs`, inferred from the initializer's parameters.
 *
 * @example
 * ```ts
 * export function connect(url: string): void { console.log(`worker connecting to ${url}`); }
 * export function work(x: number): number { return x + 1; }
 * if (isMainModule(import.meta.url)) {
 *   const options: PoolOptions = { processes: 2, maxtasksperchild: 100 };
 *   await using pool = new Pool({ ...options, initializer: connect, initargs: ['db://local'] });
 *   console.log(await pool.map(work, [1, 2, 3])); // [2, 3, 4]
 * }
 * ```
 */
export interface PoolOptions<I extends readonly unknown[] = never> {
  /** Workers. Default: cpuCount(). */
  readonly processes?: number;
  /** Runs `initializer(...initargs)` once in each worker before its first task. Exported from a module. */
  readonly initializer?: (...args: I) => unknown;
  /** The initializer's arguments (queues included, as for a process's args); required if its parameters are. */
  readonly initargs?: [I] extends [never] ? readonly unknown[] : Readonly<I>;
  /** A worker is replaced by a fresh one after this many tasks (a chunk of map() is one). Default: never. */
  readonly maxtasksperchild?: number;
  /** `'process'` (default): child processes. `'thread'`: worker threads of this process (the default after setStartMethod('thread')). */
  readonly context?: PoolContext;
  /**
   * Aborting it terminates the pool, as terminate() does: its workers are killed, and pending tasks
   * reject with an AbortError (a DOMException, its `cause` the signal's reason). An aborted signal
   * makes the constructor throw that error, before any worker starts.
   */
  readonly signal?: AbortSignal;
}

export interface PoolSettings {
  readonly processes: number;
  readonly initializer: ModuleExportRef | null;
  readonly initargs: readonly unknown[];
  /** 0 = never. */
  readonly maxtasksperchild: number;
  readonly context: PoolContext;
  readonly signal: AbortSignal | undefined;
}

export function validatePoolOptions(input: PoolOptions): PoolSettings {
  const options = validateOptionsObject(input, 'Pool', 'new Pool({ processes: 4 })') ?? {};
  const signal = readSignal(options.signal, 'Pool');
  const { processes = cpuCount(), initializer, initargs = [], maxtasksperchild } = options;
  // setStartMethod('thread') makes thread pools the default too; 'inline' has no pool of its own (Python's dummy Pool is threads).
  const context = options.context ?? (getStartMethod() === 'thread' ? 'thread' : 'process');
  if (!Number.isInteger(processes) || processes < 1) {
    throw new (typeof processes === 'number' ? RangeError : TypeError)(`Expected \`processes\` to be a positive integer, got \`${show(processes)}\` (${kindOf(processes)}). Python's Pool needs at least one worker too.`);
  }
  if (maxtasksperchild !== undefined && maxtasksperchild !== null && (!Number.isInteger(maxtasksperchild) || maxtasksperchild < 1)) {
    throw new (typeof maxtasksperchild === 'number' ? RangeError : TypeError)(
      `Expected \`maxtasksperchild\` to be a positive integer (or undefined: workers live as long as the pool), got \`${show(maxtasksperchild)}\` (${kindOf(maxtasksperchild)}).`,
    );
  }
  if (context !== 'process' && context !== 'thread') {
    throw new TypeError(`Expected \`context\` to be 'process' or 'thread', got \`${show(context)}\` (${kindOf(context)}).`);
  }
  if (initializer !== undefined && typeof initializer !== 'function') {
    throw new TypeError(`Expected \`initializer\` to be an exported function, got \`${show(initializer)}\` (${kindOf(initializer)}).`);
  }
  if (!Array.isArray(initargs)) {
    throw new TypeError(`Expected \`initargs\` to be an array of the initializer's arguments, got \`${show(initargs)}\` (${kindOf(initargs)}). Wrap a single argument: { initargs: [value] }.`);
  }
  // Checked now, as Process.start() would for each worker, so the constructor fails before any starts.
  initargs.forEach((arg, index) => assertCloneable(encodeQueues(arg, `initargs[${index}] of Pool`), `initargs[${index}] of Pool`));
  return {
    processes,
    initializer: initializer ? locateExportedFunction(initializer, 'initializer of Pool') : null,
    initargs: [...initargs],
    maxtasksperchild: maxtasksperchild ?? 0,
    context,
    signal,
  };
}

/** `chunksize` of map() and its kin: a positive integer, or undefined for the default. */
export function validateChunksize(options: { readonly chunksize?: number }, call: string): number | undefined {
  const { chunksize } = validateOptionsObject(options, call, `${call.replace('()', '')}(fn, items, { chunksize: 10 })`) ?? {};
  if (chunksize === undefined || chunksize === null) return undefined;
  if (!Number.isInteger(chunksize) || chunksize < 1) {
    throw new (typeof chunksize === 'number' ? RangeError : TypeError)(`Expected \`chunksize\` of ${call} to be a positive integer, got \`${show(chunksize)}\` (${kindOf(chunksize)}).`);
  }
  return chunksize;
}

/** The calls in tasks of `size` calls each (the last may be shorter). */
export function chunkCalls(calls: unknown[][], size: number): unknown[][][] {
  const chunks: unknown[][][] = [];
  for (let i = 0; i < calls.length; i += size) chunks.push(calls.slice(i, i + size));
  return chunks;
}
