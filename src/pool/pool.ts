import { ProcessExitError } from '../errors/process-exit-error.js';
import { ProcessStateError } from '../errors/process-state-error.js';
import { SerializationError } from '../errors/serialization-error.js';
import { TargetResolutionError } from '../errors/target-resolution-error.js';
import { TaskError } from '../errors/task-error.js';
import { SUBMIT_SETTLED } from '../internal/symbols.js';
import { locateExportedFunction, type ModuleExportRef } from '../internal/function-locator.js';
import type { PoolTaskMessage, ProtocolMessage, RemoteError } from '../internal/protocol.js';
import { throwOnMissingMainGuard } from '../process/main-guard.js';
import { chunkCalls, validateChunksize, validatePoolOptions, type PoolOptions } from './pool-options.js';
import { startPoolWorker, type PoolContext, type PoolWorker, type WorkerExit } from './pool-worker.js';
import { TaskList, type PoolTask, type TaskOutcome } from './task-list.js';
import { checkCalls } from './task-args.js';
import { abortError, readSignal } from '../internal/abort.js';
import type { InitargsOption } from '../operators/target-types.js';

/**
 * Options of {@link Pool.map} and its kin.
 *
 * @example
 * ```ts
 * export function square(x: number): number { return x * x; }
 * if (isMainModule(import.meta.url)) {
 *   await using pool = new Pool({ processes: 2 });
 *   const options: MapOptions = { chunksize: 100 }; // 100 items per message to a worker
 *   console.log((await pool.map(square, Array.from({ length: 1000 }, (_, i) => i), options)).length); // 1000
 * }
 * ```
 */
export interface MapOptions {
  /** Items per task sent to a worker. Default: map/starmap as Python (len / (4 × processes), rounded up); imap 1. */
  readonly chunksize?: number;
}

/**
 * Options of {@link Pool.run}.
 *
 * @example
 * ```ts
 * export function slow(ms: number): Promise<number> { return new Promise((resolve) => setTimeout(() => resolve(ms), ms)); }
 * if (isMainModule(import.meta.url)) {
 *   await using pool = new Pool({ processes: 1 });
 *   const options: RunOptions = { signal: AbortSignal.timeout(100) };
 *   await pool.run(slow, [10_000], options).catch((e) => console.log(e.name)); // AbortError
 * }
 * ```
 */
export interface RunOptions {
  /** Aborting rejects the task with an `AbortError` (its `cause` is the signal's reason), and frees its worker. */
  readonly signal?: AbortSignal;
}

/**
 * Python's `multiprocessing.Pool`: `processes` workers started once and reused for every task, each
 * running `initializer(...initargs)` first. Functions must be exported from a module (the workers
 * import them); arguments and results travel by structured clone. Everything that blocks in Python
 * returns a Promise here.
 *
 * Idle workers never keep the program alive: once no task is pending, it may exit without close().
 * A worker that dies (SIGKILL, `process.exit()` in a task, an uncaught error) is replaced at once;
 * the task it ran rejects with ProcessExitError and is not retried — a task that kills its worker
 * would kill the next one too. `context: 'thread'` runs the workers as worker threads of this process:
 * they start in milliseconds, but a fatal crash in one (out of memory, a native fault) takes the
 * program down.
 *
 * @example
 * export function square(x: number) { return x * x; }
 * if (isMainModule(import.meta.url)) {
 *   await using pool = new Pool({ processes: 4 });
 *   console.log(await pool.map(square, [1, 2, 3])); // [1, 4, 9]
 * }
 */
export class Pool<I extends readonly unknown[] = never> {
  readonly #context: PoolContext;
  readonly #size: number;
  readonly #maxTasks: number;
  readonly #init: { readonly initializer: ModuleExportRef | null; readonly initargs: readonly unknown[] };
  readonly #workers = new Set<Slot>();
  readonly #tasks = new TaskList();
  #state: 'running' | 'closed' | 'terminated' = 'running';
  #broken: Error | undefined;
  #nextTaskId = 0;
  #inFlight = 0;
  #held = false;
  #joiners = 0;
  #bootFailures = 0;
  #allExited: { promise: Promise<void>; resolve: () => void } | undefined;

  #signal: { readonly signal: AbortSignal; readonly onAbort: () => void } | undefined;

  constructor(options?: PoolOptions<I> & InitargsOption<NoInfer<I>>);
  constructor(options: PoolOptions = {}) {
    const settings = validatePoolOptions(options);
    const { signal } = settings;
    if (signal?.aborted) throw abortError(signal, 'The Pool was aborted before it started.');
    this.#context = settings.context;
    this.#size = settings.processes;
    this.#maxTasks = settings.maxtasksperchild;
    this.#init = { initializer: settings.initializer, initargs: settings.initargs };
    // A thread pool forks nothing, so no Process.start() checks this for it.
    throwOnMissingMainGuard('a Pool');
    for (let i = 0; i < this.#size; i++) this.#startWorker();
    if (signal) {
      const onAbort = (): void => this.#terminateWith(abortError(signal, 'The Pool was aborted before this task finished.'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#signal = { signal, onAbort };
    }
  }

  /**
   * The number of workers.
   *
   * @example
   * ```ts
   * const pool = new Pool({ processes: 2 });
   * console.log(pool.processes);      // 2
   * pool.terminate();
   * ```
   */
  get processes(): number {
    return this.#size;
  }

  /**
   * Python's `apply`: `fn(...args)` in a worker; resolves to its result. `args` may be left out only if `fn` needs none.
   *
   * @example
   * ```ts
   * export function add(a: number, b: number): number { return a + b; }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 1 });
   *   console.log(await pool.apply(add, [2, 3])); // 5
   * }
   * ```
   */
  apply<A extends unknown[], R>(fn: (...args: A) => R, ...[args]: TaskArgs<NoInfer<A>>): Promise<Awaited<R>> {
    return this.#run(fn, args, {});
  }

  /**
   * Python's `apply_async`: the same as apply(); the Promise is the AsyncResult.
   *
   * @example
   * ```ts
   * export function add(a: number, b: number): number { return a + b; }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 2 });
   *   const results = [pool.applyAsync(add, [1, 2]), pool.applyAsync(add, [3, 4])]; // both run at once
   *   console.log(await Promise.all(results)); // [3, 7]
   * }
   * ```
   */
  applyAsync<A extends unknown[], R>(fn: (...args: A) => R, ...[args]: TaskArgs<NoInfer<A>>): Promise<Awaited<R>> {
    return this.#run(fn, args, {});
  }

  /**
   * piscina's shape: `fn(...args)` in a worker, with an optional AbortSignal.
   *
   * @example
   * ```ts
   * export function square(x: number): number { return x * x; }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 1 });
   *   const controller = new AbortController();
   *   console.log(await pool.run(square, [7], { signal: controller.signal })); // 49
   * }
   * ```
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...[args, options]: RunArgs<NoInfer<A>>): Promise<Awaited<R>> {
    return this.#run(fn, args, options === undefined ? {} : options);
  }

  #run<R>(fn: Function, args: readonly unknown[] | undefined, options: RunOptions): Promise<Awaited<R>> {
    return this.#settle(() => {
      const ref = this.#locate(fn, 'apply');
      const signal = validateRunSignal(options);
      const { calls, redisSecrets } = checkCalls([args === undefined ? [] : validateArgList(args)], 'args of apply()');
      return this.#submit(ref, calls, false, signal, redisSecrets).then((outcome) => this.#valuesOf(outcome, ref, 'apply()', 0)[0] as Awaited<R>);
    });
  }

  /**
   * Python's `map`: `fn(item)` for every item, resolving to the results in input order. The first failure rejects it.
   *
   * @example
   * ```ts
   * export function square(x: number): number { return x * x; }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 2 });
   *   console.log(await pool.map(square, [1, 2, 3])); // [1, 4, 9]
   * }
   * ```
   */
  map<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapOptions = {}): Promise<Awaited<R>[]> {
    return this.#settle(() => this.#mapCalls(fn, [...iterableOf(iterable, 'map')].map((item) => [item]), options, 'map()'));
  }

  /**
   * Python's `starmap`: `fn(...args)` for every argument list, results in input order.
   *
   * @example
   * ```ts
   * export function power(base: number, exponent: number): number { return base ** exponent; }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 2 });
   *   console.log(await pool.starmap(power, [[2, 3], [3, 2]])); // [8, 9]
   * }
   * ```
   */
  starmap<A extends unknown[], R>(fn: (...args: A) => R, iterable: Iterable<A>, options: MapOptions = {}): Promise<Awaited<R>[]> {
    return this.#settle(() => this.#mapCalls(fn, [...iterableOf(iterable, 'starmap')].map((args, i) => validateArgList(args, `item ${i} of starmap()`)), options, 'starmap()'));
  }

  /**
   * Python's `imap`: the results of `fn(item)` in input order, as they come. The iterable is read as
   * results are taken, a few chunks per worker ahead, so an endless one is fine; a failure is thrown
   * where its result would have come. Works with RxJS `from()`.
   *
   * @example
   * ```ts
   * export function square(x: number): number { return x * x; }
   * export function* naturals(): Generator<number> { for (let i = 0; ; i++) yield i; }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 2 });
   *   for await (const r of pool.imap(square, naturals())) {   // an endless input is fine
   *     if (r > 100) break;
   *     console.log(r);                                        // 0 1 4 9 … in input order
   *   }
   * }
   * ```
   */
  imap<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options: MapOptions = {}): AsyncIterable<Awaited<R>> {
    return this.#lazyMap(fn, iterable, options, true);
  }

  /**
   * Python's `imap_unordered`: as imap(), in the order the results are ready.
   *
   * @example
   * ```ts
   * export function wait(ms: number): Promise<number> { return new Promise((resolve) => setTimeout(() => resolve(ms), ms)); }
   * if (isMainModule(import.meta.url)) {
   *   await using pool = new Pool({ processes: 2 });
   *   for await (const ms of pool.imapUnordered(wait, [300, 10])) console.log(ms); // 10, then 300
   * }
   * ```
   */
  imapUnordered<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options: MapOptions = {}): AsyncIterable<Awaited<R>> {
    return this.#lazyMap(fn, iterable, options, false);
  }

  /**
   * No more tasks; the workers exit once the pending ones are done.
   *
   * @example
   * ```ts
   * export function square(x: number): number { return x * x; }
   * if (isMainModule(import.meta.url)) {
   *   const pool = new Pool({ processes: 2 });
   *   const results = pool.map(square, [1, 2, 3]);
   *   pool.close();                   // pending tasks still finish; new ones throw ProcessStateError
   *   await pool.join();
   *   console.log(await results);     // [1, 4, 9]
   * }
   * ```
   */
  close(): void {
    if (this.#state === 'running') this.#state = 'closed';
    this.#dispatch();
  }

  /**
   * Stops the workers now. Pending tasks reject with ProcessStateError.
   *
   * @example
   * ```ts
   * export function forever(): Promise<never> { return new Promise(() => setInterval(() => {}, 1000)); }
   * if (isMainModule(import.meta.url)) {
   *   const pool = new Pool({ processes: 1 });
   *   const task = pool.apply(forever).catch((e) => console.log(e.name)); // ProcessStateError
   *   pool.terminate();
   *   await pool.join();
   *   await task;
   * }
   * ```
   */
  terminate(): void {
    this.#terminateWith(new ProcessStateError('The Pool was terminated before this task finished. Await the tasks before terminate(), or call close() and join() to let them finish.'));
  }

  #terminateWith(error: Error): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#releaseSignal();
    for (const task of this.#tasks.drain()) task.reject(error);
    for (const slot of this.#workers) {
      slot.task?.reject(error);
      slot.task = undefined;
      slot.worker.terminate();
    }
    this.#inFlight = 0;
    this.#updateHold();
  }

  // The pool's own signal need not be listened to once the pool is terminated or its workers are gone.
  #releaseSignal(): void {
    if (!this.#signal) return;
    this.#signal.signal.removeEventListener('abort', this.#signal.onAbort);
    this.#signal = undefined;
  }

  /**
   * Waits until every worker has exited; call close() or terminate() first.
   *
   * @example
   * ```ts
   * const pool = new Pool({ processes: 2 });
   * pool.close();
   * await pool.join();                // every worker has exited
   * ```
   */
  join(): Promise<void> {
    if (this.#state === 'running') throw new ProcessStateError('Cannot join a running Pool: call close() (let pending tasks finish) or terminate() first.');
    if (this.#workers.size === 0) return Promise.resolve();
    this.#allExited ??= deferred();
    this.#joiners++;
    this.#updateHold();
    return this.#allExited.promise.finally(() => {
      this.#joiners--;
      this.#updateHold();
    });
  }

  /** `await using pool = new Pool()`: terminate() and join(). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    await this.join();
  }

  /** @internal For consume(…, { pool }): submits calls of `ref`, each settled on its own. */
  [SUBMIT_SETTLED](ref: ModuleExportRef, calls: unknown[][]): Promise<TaskOutcome> {
    this.#assertRunning();
    return this.#submit(ref, calls, true, undefined);
  }

  #mapCalls(fn: Function, calls: unknown[][], options: MapOptions, call: string): Promise<never[]> {
    const ref = this.#locate(fn, call);
    const size = validateChunksize(options, call) ?? defaultChunksize(calls.length, this.#size);
    const checked = checkCalls(calls, `items of ${call}`);
    const chunks = chunkCalls(checked.calls, size);
    return Promise.all(
      chunks.map((chunk, index) =>
        this.#submit(ref, chunk, false, undefined, checked.redisSecrets).then((outcome) => this.#valuesOf(outcome, ref, call, index * size)),
      ),
    ).then((results) => results.flat() as never[]);
  }

  #lazyMap<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options: MapOptions, ordered: boolean): AsyncIterable<Awaited<R>> {
    const call = ordered ? 'imap()' : 'imapUnordered()';
    const ref = this.#locate(fn, call);
    const size = validateChunksize(options, call) ?? 1;
    const source = asyncIterableOf(iterable, call);
    const lookahead = this.#size * 2;
    const pool = this;
    return {
      async *[Symbol.asyncIterator]() {
        const iterator = source[Symbol.asyncIterator]();
        // Chunks submitted and not yet yielded, by their index in input order.
        const chunks = new Map<number, LazyChunk>();
        const settled: number[] = []; // unordered: indexes in the order they settled
        let wake: (() => void) | undefined;
        let exhausted = false;
        let read = 0;
        let submitted = 0;
        let yielded = 0;
        const fill = async (): Promise<void> => {
          while (!exhausted && submitted - yielded < lookahead) {
            const calls: unknown[][] = [];
            while (calls.length < size) {
              const next = await iterator.next();
              if (next.done) {
                exhausted = true;
                break;
              }
              calls.push([next.value]);
            }
            if (calls.length === 0) break;
            const checked = checkCalls(calls, `items of ${call}`);
            const index = submitted++;
            const chunk: LazyChunk = { first: read, outcome: undefined, error: undefined, settled: false };
            read += calls.length;
            chunks.set(index, chunk);
            const onSettled = (): void => {
              chunk.settled = true;
              if (!ordered) settled.push(index);
              wake?.();
            };
            pool.#submit(ref, checked.calls, false, undefined, checked.redisSecrets).then(
              (outcome) => {
                chunk.outcome = outcome;
                onSettled();
              },
              (error: unknown) => {
                chunk.error = error;
                onSettled();
              },
            );
          }
        };
        try {
          pool.#assertRunning();
          await fill();
          while (yielded < submitted) {
            const index = ordered ? yielded : settled[0];
            const chunk = index === undefined ? undefined : chunks.get(index);
            if (!chunk?.settled) {
              await new Promise<void>((resolve) => (wake = resolve));
              wake = undefined;
              continue;
            }
            chunks.delete(index as number);
            if (!ordered) settled.shift();
            yielded++;
            if (chunk.error !== undefined) throw chunk.error;
            const outcome = chunk.outcome as TaskOutcome;
            const failure = outcome.done.errors?.[0];
            for (const value of outcome.done.values) yield value as Awaited<R>;
            if (failure) pool.#valuesOf(outcome, ref, call, chunk.first);
            await fill();
          }
        } finally {
          // A consumer that stops early (break) leaves the tasks in flight to finish; none more is read.
          await iterator.return?.();
        }
      },
    };
  }

  #submit(ref: ModuleExportRef, calls: unknown[][], settle: boolean, signal: AbortSignal | undefined, redisSecrets?: PoolTask['redisSecrets']): Promise<TaskOutcome> {
    this.#assertRunning();
    return new Promise<TaskOutcome>((resolve, reject) => {
      const task: PoolTask = { id: this.#nextTaskId++, ref, calls, settle, redisSecrets, resolve, reject, cancelled: false };
      if (signal) {
        if (signal.aborted) return reject(abortError(signal, TASK_ABORTED));
        const onAbort = (): void => this.#abort(task, signal);
        signal.addEventListener('abort', onAbort, { once: true });
        task.resolve = (done) => {
          signal.removeEventListener('abort', onAbort);
          resolve(done);
        };
        task.reject = (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        };
      }
      this.#tasks.push(task);
      this.#dispatch();
    });
  }

  #abort(task: PoolTask, signal: AbortSignal): void {
    if (task.cancelled) return;
    task.cancelled = true;
    task.reject(abortError(signal, TASK_ABORTED));
    for (const slot of this.#workers) {
      if (slot.task !== task) continue;
      // The task may run on forever: the worker goes, and a fresh one takes its place.
      slot.task = undefined;
      slot.accepting = false;
      this.#inFlight--;
      slot.worker.terminate();
    }
    this.#updateHold();
  }

  #dispatch(): void {
    for (const slot of this.#workers) {
      if (!slot.ready || slot.task || !slot.accepting) continue;
      const task = this.#tasks.shift();
      if (!task) break;
      slot.task = task;
      this.#inFlight++;
      try {
        const message: PoolTaskMessage = { rxmp: 'pool-task', id: task.id, fn: task.ref, calls: task.calls, settle: task.settle };
        // Redis credentials go beside the calls, over the worker's private channel, never in a descriptor.
        slot.worker.send(task.redisSecrets ? { ...message, redisSecrets: task.redisSecrets } : message);
      } catch (cause) {
        slot.task = undefined;
        this.#inFlight--;
        task.reject(new SerializationError(`the arguments of a task of \`${task.ref.exportName}\``, cause));
      }
    }
    if (this.#state === 'closed' && this.#tasks.size === 0) {
      for (const slot of this.#workers) {
        if (slot.ready && !slot.task && slot.accepting) this.#stop(slot);
      }
    }
    this.#updateHold();
  }

  #stop(slot: Slot): void {
    slot.stopping = true;
    slot.accepting = false;
    slot.worker.send({ rxmp: 'pool-stop' });
  }

  #startWorker(): void {
    const slot: Slot = { worker: undefined as unknown as PoolWorker, ready: false, task: undefined, accepting: true, stopping: false, tasksDone: 0 };
    slot.worker = startPoolWorker(this.#context, this.#init, (message) => this.#onMessage(slot, message));
    slot.worker.hold(this.#held);
    this.#workers.add(slot);
    void slot.worker.exited.then((exit) => this.#onExit(slot, exit));
  }

  #onMessage(slot: Slot, message: ProtocolMessage): void {
    if (message.rxmp === 'pool-ready') {
      slot.ready = true;
      this.#bootFailures = 0;
    } else if (message.rxmp === 'pool-done') {
      const task = slot.task;
      if (!task || task.id !== message.id) return; // aborted meanwhile
      slot.task = undefined;
      this.#inFlight--;
      slot.tasksDone++;
      task.resolve({ done: message, worker: slot.worker.name });
      // Python's maxtasksperchild: this worker goes, a fresh one comes (started now, while it exits).
      if (this.#maxTasks > 0 && slot.tasksDone >= this.#maxTasks && !slot.stopping) {
        this.#stop(slot);
        if (this.#state !== 'terminated') this.#startWorker();
      }
    } else {
      return;
    }
    this.#dispatch();
  }

  #onExit(slot: Slot, exit: WorkerExit): void {
    this.#workers.delete(slot);
    const task = slot.task;
    slot.task = undefined;
    if (task) {
      this.#inFlight--;
      // It could not import the task's module (a missing main guard there ends a worker): that is the error.
      task.reject(exit.initError ? this.#startError(slot, exit) : this.#workerDied(slot, exit));
    }
    if (this.#state !== 'terminated' && !slot.stopping) this.#replace(slot, exit);
    if (this.#workers.size === 0 && this.#state !== 'running') {
      this.#releaseSignal();
      this.#allExited?.resolve();
    }
    this.#dispatch();
  }

  // A worker that died is replaced; one that cannot start (its initializer throws, it cannot import
  // the library) breaks the pool instead: replacing it would fail the same way, for ever — Python's
  // pool then hangs.
  #replace(slot: Slot, exit: WorkerExit): void {
    if (exit.initError || (!slot.ready && ++this.#bootFailures > this.#size * 2)) {
      return this.#breakPool(this.#startError(slot, exit));
    }
    if (this.#state === 'running' || this.#tasks.size > 0) this.#startWorker();
  }

  #breakPool(error: Error): void {
    this.#broken = error;
    for (const task of this.#tasks.drain()) task.reject(error);
    this.terminate();
  }

  #startError(slot: Slot, exit: WorkerExit): Error {
    const remote = exit.initError;
    if (!remote) return this.#workerDied(slot, exit);
    if (remote.name === 'TargetResolutionError') return new TargetResolutionError(remote.message, { module: remote.module, exportName: remote.exportName });
    if (remote.name === 'ProcessStateError') return new ProcessStateError(remote.message);
    return new TaskError({ processName: slot.worker.name, seq: -1, ...remote, task: `The Pool's initializer \`${this.#init.initializer?.exportName ?? '?'}\` failed` });
  }

  #workerDied(slot: Slot, exit: WorkerExit): ProcessExitError {
    return new ProcessExitError({
      processName: slot.worker.name,
      pid: slot.worker.pid,
      exitCode: exit.exitCode,
      signal: exit.signal,
    });
  }

  // A task's results, or the error of its first failed call (`offset`: the task's first item in the whole call).
  #valuesOf({ done, worker }: TaskOutcome, ref: ModuleExportRef, call: string, offset: number): unknown[] {
    const failure = done.errors?.[0];
    if (!failure) return done.values as unknown[];
    throw taskError(failure, worker, ref, call, offset);
  }

  #updateHold(): void {
    const held = this.#inFlight > 0 || this.#tasks.size > 0 || this.#joiners > 0;
    if (held === this.#held) return;
    this.#held = held;
    for (const slot of this.#workers) slot.worker.hold(held);
  }

  #locate(fn: Function, call: string): ModuleExportRef {
    this.#assertRunning();
    if (typeof fn !== 'function') throw new TypeError(`Expected the function of ${call} to be an exported function, got ${typeof fn}.`);
    return locateExportedFunction(fn, `function of ${call}`);
  }

  #assertRunning(): void {
    if (this.#broken) throw this.#broken;
    if (this.#state !== 'running') throw new ProcessStateError(`Pool not running: it was ${this.#state === 'closed' ? 'closed' : 'terminated'}. Create a new Pool for more tasks.`);
  }

  // Every way a call can fail, a synchronous throw included, ends in the returned Promise.
  #settle<R>(body: () => Promise<R>): Promise<R> {
    try {
      return body();
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

interface LazyChunk {
  readonly first: number;
  outcome: TaskOutcome | undefined;
  error: unknown;
  settled: boolean;
}

interface Slot {
  worker: PoolWorker;
  ready: boolean;
  task: PoolTask | undefined;
  /** False once it is to take no more tasks: stopping, or killed for an aborted task. */
  accepting: boolean;
  /** Told to stop (close(), maxtasksperchild): its exit needs no replacement. */
  stopping: boolean;
  tasksDone: number;
}

export type { PoolOptions };

function taskError([index, remote]: readonly [number, RemoteError], worker: string, ref: ModuleExportRef, call: string, offset: number): Error {
  if (remote.name === 'TargetResolutionError') return new TargetResolutionError(remote.message, { module: remote.module, exportName: remote.exportName });
  const seq = offset + index;
  return new TaskError({ processName: worker, seq, ...remote, task: `\`${ref.exportName}\` failed on ${call === 'apply()' ? 'its call' : `item #${seq}`} of ${call}` });
}

function defaultChunksize(length: number, workers: number): number {
  return Math.max(1, Math.ceil(length / (workers * 4)));
}

function validateRunSignal(options: RunOptions): AbortSignal | undefined {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected the options of run() to be an object { signal }, got ${String(options)}.`);
  return readSignal(options.signal, 'run()');
}

/** A task's `args`: its function's parameters, optional only when it has no required one. */
type TaskArgs<A extends readonly unknown[]> = [] extends A ? [args?: Readonly<A>] : [args: Readonly<A>];
type RunArgs<A extends readonly unknown[]> = [] extends A ? [args?: Readonly<A>, options?: RunOptions] : [args: Readonly<A>, options?: RunOptions];

const TASK_ABORTED = 'The task was aborted.';

function validateArgList(args: unknown, what = 'args'): unknown[] {
  if (!Array.isArray(args)) throw new TypeError(`Expected ${what} to be an array of arguments, got ${typeof args}. Wrap a single argument: [value].`);
  return args;
}

function iterableOf<T>(iterable: Iterable<T>, call: string): Iterable<T> {
  if (iterable !== null && typeof (iterable as Partial<Iterable<T>>)?.[Symbol.iterator] === 'function') return iterable;
  throw new TypeError(`Expected the items of ${call} to be an iterable (an array, a Set, a generator), got ${iterable === null ? 'null' : typeof iterable}.`);
}

function asyncIterableOf<T>(iterable: Iterable<T> | AsyncIterable<T>, call: string): AsyncIterable<T> {
  if (iterable !== null && typeof (iterable as Partial<AsyncIterable<T>>)?.[Symbol.asyncIterator] === 'function') return iterable as AsyncIterable<T>;
  const sync = iterableOf(iterable as Iterable<T>, call);
  return {
    async *[Symbol.asyncIterator]() {
      yield* sync;
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

