import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ProcessStateError } from '../errors/process-state-error.js';
import { SerializationError } from '../errors/serialization-error.js';
import { TargetResolutionError } from '../errors/target-resolution-error.js';
import type { ChildHandle } from '../internal/child-handle.js';
import { launchChild } from '../internal/child-launcher.js';
import { ThreadChild } from '../internal/thread-child.js';
import { locateExportedFunction, type ModuleExportRef } from '../internal/function-locator.js';
import { throwOnInlinedLibrary } from '../internal/inlined-library.js';
import { isProtocolMessage, type BootPayload, type ProtocolMessage, type RemoteError } from '../internal/protocol.js';
import { getRuntime, type HoldReason, type TrackedChild } from '../internal/runtime.js';
import { assertCloneable } from '../internal/serialize.js';
import { encodeQueues } from '../queue/queue-handles.js';
import { holdHandoffs } from '../queue/local/queue-lease.js';
import { collectSecrets } from '../queue/redis/shared-secrets.js';
import { transportSettings } from '../internal/transport-settings.js';
import { CAPTURE_STDERR, DYING_ON, HANDLE, HOLD_PARENT, INIT_ERROR, IN_THREAD, PROCESS_BRAND, RESTORE, STDERR_TAIL } from '../internal/symbols.js';
import { MAX_TIMER_MS, normalizeTimeout } from '../internal/timeout.js';
import { abortError, readFields, readSignal } from '../internal/abort.js';
import { installExitHook } from './exit-hook.js';
import { showValue } from '../internal/show-value.js';
import { currentLogSettings, logEvent } from './logger.js';
import { recordChildFailure } from '../internal/child-failures.js';
import { throwOnMissingMainGuard } from './main-guard.js';

/**
 * A function a child process can import: exported at the top level of some module.
 *
 * @example
 * ```ts
 * // A target is a function exported at the top level of a module, so that a child can import it.
 * export function greet(name: string): void { console.log(`hello ${name}`); }
 * const target: Target = greet;
 * ```
 */
export type Target = (...args: never[]) => unknown;

/**
 * An explicit target: a module (path, file URL or package specifier) and the name of its export.
 *
 * @example
 * ```ts
 * // Names the export instead of passing the function: the parent need not import the module.
 * const ref: TargetReference = { module: new URL('./work.js', import.meta.url), export: 'worker' };
 * const p = new Process({ target: ref, args: [1] });
 * ```
 */
export interface TargetReference {
  /** The module: a path (relative to the working directory), a `file:` URL, or a package specifier. */
  readonly module: string | URL;
  /** The name of the function's export in that module (`'default'` for a default export). */
  readonly export: string;
}

/**
 * The `args` a target takes: checked against its parameters, and required unless it has none
 * required. A target typed {@link Target} (`(...args: never[]) => unknown`, any function) takes any,
 * and so does a generic function whose parameters TypeScript cannot infer.
 *
 * @example
 * export function scale(x: number, factor = 2) { return x * factor; }
 * const options: ArgsOption<Parameters<typeof scale>> = { args: [3] }; // args required: x is
 */
export type ArgsOption<A extends readonly unknown[]> = [A] extends [never[]]
  ? [never[]] extends [A]
    ? {
        /** Arguments for a target that takes any. */
        readonly args?: Iterable<unknown>;
      }
    : [A] extends [never]
      ? {
          /** Arguments for a generic target, whose parameters TypeScript could not infer. */
          readonly args?: Iterable<unknown>;
        }
      : {
          /** The target's arguments. */
          readonly args?: Readonly<A>;
        }
  : [] extends A
    ? {
        /** The target's arguments, all optional. */
        readonly args?: Readonly<A>;
      }
    : {
        /** The target's arguments: required, as some of its parameters are. */
        readonly args: Readonly<A>;
      };

/**
 * What every {@link Process} takes, whatever its target.
 *
 * @example
 * const base: ProcessBaseOptions = { name: 'indexer', daemon: true };
 */
export interface ProcessBaseOptions {
  /** The process's name (`currentProcess().name` in the child); default `Process-N`, or the subclass's name. */
  readonly name?: string;
  /** Inherited from the creating process when omitted (false in the main process). */
  readonly daemon?: boolean;
}

/**
 * Options of {@link Process}, as in Python's `Process(target=, args=, name=, daemon=)`. With a
 * function target, `ProcessOptions<A>` types `args` as the target's parameters `A` (required unless
 * it has none required); the default, untyped form takes a `{ module, export }` target, or none (a
 * subclass that overrides run()).
 *
 * @example
 * export function work(n: number) {}
 * const typed: ProcessOptions<[n: number]> = { target: work, args: [1] };
 * const byName: ProcessOptions = { target: { module: './work.js', export: 'work' }, args: [1] };
 */
export type ProcessOptions<A extends readonly unknown[] = never> = ProcessBaseOptions &
  ([A] extends [never]
    ? {
        /** The code the child runs, by `{ module, export }`; none in a subclass that overrides run(). */
        readonly target?: TargetReference;
        /** The target's arguments. */
        readonly args?: Iterable<unknown>;
      }
    : {
        /** The exported function the child runs. */
        readonly target: (...args: A) => unknown;
      } & ArgsOption<A>);

/**
 * Options of {@link Process.join}: `join(ms)` is `join({ timeout: ms })`.
 *
 * @example
 * ```ts
 * export function work(): void {}
 * if (isMainModule(import.meta.url)) {
 *   const p = new Process({ target: work });
 *   p.start();
 *   await p.join({ timeout: 5000, signal: AbortSignal.timeout(10_000) });
 * }
 * ```
 */
export interface ProcessJoinOptions {
  /** Most milliseconds to wait, as Python's `join(timeout)`: undefined/null waits forever, 0 or less polls. */
  readonly timeout?: number | null;
  /** Gives up the wait when aborted: join() rejects with an `AbortError` whose `cause` is the signal's reason. The child runs on. */
  readonly signal?: AbortSignal;
}

/**
 * Python's `multiprocessing.Process`: runs `target(...args)` (or an overridden `run()`) in a forked
 * Node.js child process. Durations are in milliseconds; everything that blocks in Python returns a
 * Promise here.
 *
 * @example
 * export function worker(i: number) { console.log(`worker${i}`); }
 * if (isMainModule(import.meta.url)) {
 *   const p = new Process({ target: worker, args: [1] });
 *   p.start();
 *   await p.join();
 *   console.log(p.exitCode); // 0
 * }
 */
export class Process<A extends readonly unknown[] = never> implements TrackedChild {
  #name: string;
  #daemon: boolean;
  #target: Target | TargetReference | undefined;
  #args: readonly unknown[];
  #state: 'initial' | 'started' | 'closed' = 'initial';
  #handle: ChildHandle | undefined;
  #exitCode: number | null = null;
  #exited: Promise<void> | undefined;
  #initError: RemoteError | undefined;
  #dyingOn: string | undefined;
  #joiners = 0;
  readonly #heldFor = new Set<HoldReason>();
  #identity: readonly number[];
  readonly #captureStderr: boolean;
  readonly #inThread: boolean;
  #stderrTail: Promise<string> = Promise.resolve('');
  readonly #creatorPid = process.pid;

  /** A function target: `args` are checked against its parameters. */
  constructor(options: ProcessBaseOptions & { readonly target: (...args: A) => unknown; readonly args?: Readonly<A> | Iterable<unknown> } & ArgsOption<NoInfer<A>>);
  /** A `{ module, export }` target (untyped), or none: a subclass that overrides run(). */
  constructor(options?: ProcessOptions);
  constructor(options: ProcessBaseOptions & { readonly target?: unknown; readonly args?: unknown } = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      // Python's Process(target, args) is positional; ours takes one options object.
      throw new TypeError(
        `Expected the options of Process to be an object { target, args, name, daemon }, got \`${showValue(options)}\` (${Array.isArray(options) ? 'array' : typeof options}). Python's Process(target=f, args=(1,)) is new Process({ target: f, args: [1] }) here.`,
      );
    }
    const runtime = getRuntime();
    // Each option is read once, here: a getter or Proxy trap that throws is reported as the options' fault.
    let read: { target: unknown; args: unknown; name: unknown; daemon: unknown; restored: RestoreOptions[typeof RESTORE]; capture: unknown; inThread: unknown };
    try {
      read = {
        target: options.target,
        args: options.args,
        name: options.name,
        daemon: options.daemon,
        restored: (options as RestoreOptions)[RESTORE],
        capture: (options as { [CAPTURE_STDERR]?: boolean })[CAPTURE_STDERR],
        inThread: (options as { [IN_THREAD]?: boolean })[IN_THREAD],
      };
    } catch (cause) {
      throw new TypeError(`Reading the \`options\` of Process threw: ${cause instanceof Error ? cause.message : showValue(cause)}. Pass a plain object.`, { cause });
    }
    const restored = read.restored;
    this.#target = read.target as Target | TargetReference | undefined;
    try {
      if (read.args !== undefined && typeof (read.args as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
        throw new TypeError(`Expected \`args\` to be an array (or iterable) of arguments, got \`${showValue(read.args)}\` (${typeof read.args}).`);
      }
      this.#args = read.args === undefined ? [] : [...(read.args as Iterable<unknown>)];
    } catch (cause) {
      if (cause instanceof TypeError && cause.message.startsWith('Expected `args`')) throw cause;
      throw new TypeError(`Expected \`args\` to be an array (or iterable) of arguments: iterating it threw ${cause instanceof Error ? cause.message : showValue(cause)}.`, { cause });
    }
    this.#captureStderr = read.capture === true;
    this.#inThread = read.inThread === true;
    if (restored) {
      this.#name = restored.name;
      this.#daemon = restored.daemon;
      this.#identity = runtime.identity;
      return;
    }
    // Like CPython, the counter advances for every object built, named or not.
    this.#identity = [...runtime.identity, ++runtime.counter];
    this.#name = '';
    // As in Python, None or '' takes the default name; other non-strings are a TypeError here (Python's setter asserts str).
    const name = read.name;
    this.name = name === undefined || name === null || name === '' ? `${new.target.name}-${this.#identity.join(':')}` : (name as string);
    this.#daemon = false;
    this.daemon = (read.daemon ?? runtime.daemon) as boolean;
  }

  /**
   * `Process-N`, `Worker-N` for a subclass, `Process-2:1` for the first child of `Process-2`.
   *
   * @example
   * ```ts
   * const p = new Process({ name: 'fetcher' });
   * console.log(p.name);              // 'fetcher'; new Process().name is 'Process-N'
   * ```
   */
  get name(): string {
    return this.#name;
  }
  /** Renames the process (a string); allowed at any time, as in Python. */
  set name(value: string) {
    if (typeof value !== 'string') {
      throw new TypeError(`Expected \`name\` to be a string, got \`${showValue(value)}\` (${typeof value}).`);
    }
    this.#name = value;
  }

  /**
   * A daemon never keeps its parent alive and is terminated when the parent exits.
   *
   * @example
   * ```ts
   * export function tick(): void { setInterval(() => console.log('tick'), 1000); }
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: tick });
   *   p.daemon = true;                // before start(); the program may now end while it runs
   *   p.start();
   * }
   * ```
   */
  get daemon(): boolean {
    return this.#daemon;
  }
  /** Settable only before start() (`ProcessStateError` afterwards). */
  set daemon(value: boolean) {
    if (this.#state !== 'initial') throw new ProcessStateError(`Cannot set \`daemon\` of ${this.#name}: the process has already started. Set it before start().`);
    if (typeof value !== 'boolean') {
      throw new TypeError(`Expected \`daemon\` to be a boolean, got \`${showValue(value)}\` (${typeof value}).`);
    }
    this.#daemon = value;
  }

  /**
   * The child's OS pid once started (kept after it exits).
   *
   * @example
   * ```ts
   * export function work(): void {}
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: work });
   *   p.start();
   *   console.log(p.pid);             // the child's OS pid
   *   await p.join();
   * }
   * ```
   */
  get pid(): number | undefined {
    this.#assertNotClosed();
    return this.#handle?.pid;
  }

  /**
   * `null` while running or before start; 0 on success; N for `process.exit(N)` or 1 for an error; -N when killed by signal N.
   *
   * @example
   * ```ts
   * export function fail(): never { throw new Error('boom'); }
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: fail });
   *   p.start();
   *   await p.join();
   *   console.log(p.exitCode);        // 1: the target threw (its stack went to stderr)
   * }
   * ```
   */
  get exitCode(): number | null {
    this.#assertNotClosed();
    return this.#exitCode;
  }

  /**
   * Forks the child and returns at once (the child runs concurrently). Throws — and forks nothing —
   * when the target cannot be imported by a child (`TargetResolutionError`), an argument cannot be
   * cloned (`SerializationError`), or the state forbids it (`ProcessStateError`).
   *
   * @example
   * ```ts
   * export function work(n: number): void { console.log(n * 2); }
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: work, args: [21] });
   *   p.start();                      // forked now; prints 42 from the child
   *   await p.join();
   * }
   * ```
   */
  start(): void {
    this.#assertNotClosed();
    if (this.#state === 'started') throw new ProcessStateError(`Cannot start ${this.#name} twice: a Process object can be started only once. Create a new Process instead.`);
    this.#assertCreator('start');
    // Before the daemon rule: a daemon that runs a script without the guard must be told to add the
    // guard, not to stop being a daemon (which would then fork without end).
    throwOnMissingMainGuard(this.#name);
    throwOnInlinedLibrary();
    const runtime = getRuntime();
    if (runtime.daemon) {
      throw new ProcessStateError(
        `Daemonic processes are not allowed to have children (${runtime.name} is a daemon). Make ${runtime.name} a non-daemon process to let it start ${this.#name}.`,
      );
    }
    // The queues in the arguments stay served until this child exits, whatever happens to their handles here.
    const [[described, releaseQueues], redisSecrets] = collectSecrets(() => holdHandoffs(() => this.#prepareBoot()));
    // Redis credentials go beside the args, over the child's private channel, never in a descriptor.
    const boot: BootPayload = redisSecrets ? { ...described, redisSecrets } : described;
    installExitHook();
    let handle: ChildHandle;
    try {
      handle = this.#inThread ? new ThreadChild(this.#name, { captureStderr: this.#captureStderr }) : launchChild({ captureStderr: this.#captureStderr });
    } catch (error) {
      releaseQueues();
      throw error;
    }
    this.#handle = handle;
    if (handle.stderr) this.#stderrTail = captureTail(handle.stderr, this.#daemon);
    this.#state = 'started';
    this.#target = undefined;
    this.#args = [];
    this.#exited = new Promise((resolve) => {
      handle.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        releaseQueues();
        this.#exitCode = code ?? -(signal ? constants.signals[signal] : 0);
        runtime.children.delete(this);
        logEvent('debug', 'process %s (pid %s) exited with exitcode %d', this.#name, handle.pid, this.#exitCode);
        resolve();
      });
    });
    handle.on('message', (message: unknown) => {
      if (isProtocolMessage(message)) this.#handleMessage(message);
    });
    handle.on('error', (error) => {
      if (handle.pid === undefined && this.#exitCode === null) {
        // The fork itself failed (e.g. EAGAIN): there will be no 'exit' event.
        logEvent('error', 'could not start %s: %s', this.#name, error.message);
        this.#exitCode = 1;
        runtime.children.delete(this);
        handle.emit('exit', 1, null);
      }
    });
    if (this.#daemon) {
      handle.unref();
      handle.channel?.unref();
    }
    runtime.children.add(this);
    if (runtime.ownerWaits > 0) this[HOLD_PARENT](true);
    try {
      handle.send({ rxmp: 'boot', boot } satisfies ProtocolMessage);
    } catch (cause) {
      // The payload was checked before the fork; should the send still fail, no child is left waiting for it.
      handle.kill('SIGKILL');
      throw new SerializationError(`the start of ${this.#name}`, cause);
    }
    logEvent('debug', 'started %s (pid %s)', this.#name, handle.pid);
  }

  /**
   * What the child runs. Calls `target(...args)`; override it in an exported subclass instead.
   * Its return value is ignored; a returned Promise is awaited.
   *
   * @example
   * ```ts
   * // The subclass must be exported: the child imports it and calls run() on a rebuilt instance.
   * export class Greeter extends Process {
   *   who = 'world';
   *   override run(): void { console.log(`hello ${this.who} from ${currentProcess().name}`); }
   * }
   * if (isMainModule(import.meta.url)) {
   *   const g = new Greeter();
   *   g.start();                      // hello world from Greeter-1
   *   await g.join();
   * }
   * ```
   */
  run(): unknown {
    const target = this.#target;
    if (typeof target === 'function') return (target as (...args: unknown[]) => unknown)(...this.#args);
    return undefined;
  }

  /**
   * Waits until the child exits, or until `timeout` ms have passed (`undefined`/`null`: no limit; a
   * negative number counts as 0). Settles the same way in both cases, as Python's join(timeout):
   * read `exitCode` to tell which. `join({ timeout, signal })` takes the same timeout, and an aborted
   * `signal` rejects instead, with an `AbortError` (its `cause` the signal's reason); the child is not
   * touched.
   *
   * @example
   * ```ts
   * export function sleep(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: sleep, args: [5000] });
   *   p.start();
   *   await p.join(100);              // gives up after 100 ms
   *   console.log(p.exitCode);        // null: still running
   *   const controller = new AbortController();
   *   setTimeout(() => controller.abort(new Error('enough')), 100);
   *   await p.join({ signal: controller.signal }).catch((e: Error) => console.log(e.name)); // AbortError
   *   p.terminate();
   *   await p.join();
   *   console.log(p.exitCode);        // -15 (SIGTERM)
   * }
   * ```
   */
  join(timeoutOrOptions?: number | null | ProcessJoinOptions): Promise<void> {
    const { timeout, signal } = readJoinOptions(timeoutOrOptions);
    const ms = normalizeTimeout(timeout, 'join');
    this.#assertNotClosed();
    this.#assertCreator('join');
    if (this.#state !== 'started' || !this.#exited) throw new ProcessStateError(`Cannot join ${this.#name}: it was never started. Call start() first.`);
    if (signal?.aborted) return Promise.reject(abortError(signal, 'join() was aborted.'));
    if (this.#exitCode !== null) return Promise.resolve();
    if (ms === 0) return Promise.resolve();
    return this.#waitForExit(ms, signal);
  }

  /**
   * `await using p = new Process(...)`: at the end of the scope, a child still running is terminated
   * (SIGTERM) and waited for. Python's Process has no `with`; this is what a Node user expects of a
   * resource: no child outlives its scope. `exitCode` stays readable afterwards (the object is not
   * closed). A process never started, or closed, is left as it is. Join it within the scope to let it
   * finish its work.
   *
   * @example
   * ```ts
   * export function sleep(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }
   * if (isMainModule(import.meta.url)) {
   *   {
   *     await using p = new Process({ target: sleep, args: [60_000] });
   *     p.start();
   *     await p.join(100);
   *   } // terminated here, still running after 100 ms: no child outlives the block
   * }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state !== 'started' || this.#creatorPid !== process.pid || this.#exitCode !== null) return;
    this.terminate();
    await this.#waitForExit(null);
  }

  /**
   * True from start() until the child's exit is observed.
   *
   * @example
   * ```ts
   * export function work(): void {}
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: work });
   *   p.start();
   *   console.log(p.isAlive());       // true
   *   await p.join();
   *   console.log(p.isAlive());       // false
   * }
   * ```
   */
  isAlive(): boolean {
    this.#assertNotClosed();
    this.#assertCreator('test');
    return this.#state === 'started' && this.#exitCode === null;
  }

  /**
   * Sends SIGTERM. Does not wait (join afterwards); a no-op once the child has exited.
   *
   * @example
   * ```ts
   * export function forever(): void { setInterval(() => {}, 1000); }
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: forever });
   *   p.start();
   *   p.terminate();
   *   await p.join();
   *   console.log(p.exitCode);        // -15
   * }
   * ```
   */
  terminate(): void {
    this.#signal('SIGTERM');
  }

  /**
   * Sends SIGKILL. Does not wait (join afterwards); a no-op once the child has exited.
   *
   * @example
   * ```ts
   * export function forever(): void { setInterval(() => {}, 1000); }
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: forever });
   *   p.start();
   *   p.kill();
   *   await p.join();
   *   console.log(p.exitCode);        // -9
   * }
   * ```
   */
  kill(): void {
    this.#signal('SIGKILL');
  }

  /**
   * Releases the process object. Throws while the child runs; every later use but `name`/`daemon` throws.
   *
   * @example
   * ```ts
   * export function work(): void {}
   * if (isMainModule(import.meta.url)) {
   *   const p = new Process({ target: work });
   *   p.start();
   *   await p.join();
   *   p.close();                      // p.exitCode now throws ProcessStateError
   * }
   * ```
   */
  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'started' && this.#exitCode === null) {
      throw new ProcessStateError(`Cannot close ${this.#name} while it is still running. You should first call join() or terminate().`);
    }
    this.#handle?.removeAllListeners('message');
    this.#state = 'closed';
  }

  /** Why the child could not import its target, when it reported that (it then exits with 1). */
  get [INIT_ERROR](): RemoteError | undefined {
    return this.#initError;
  }

  /** The item a consume() child's handler ended it on, summarised, when it reported that. */
  get [DYING_ON](): string | undefined {
    return this.#dyingOn;
  }

  /** The last lines the child wrote to stderr, once its stderr has ended (with the CAPTURE_STDERR option). */
  get [STDERR_TAIL](): Promise<string> {
    return this.#stderrTail;
  }

  /** The live child handle, for the library's own layers. */
  get [HANDLE](): ChildHandle {
    if (!this.#handle) throw new ProcessStateError(`${this.#name} has not been started.`);
    return this.#handle;
  }

  #prepareBoot(): BootPayload {
    const target = resolveTarget(this.#target);
    const args = this.#args.map((arg, index) => {
      const path = `args[${index}] of ${this.#name}`;
      const encoded = encodeQueues(arg, path);
      assertCloneable(encoded, path);
      return encoded;
    });
    const ctor = this.constructor as Function;
    let subclass: BootPayload['subclass'] = null;
    if (!Object.hasOwn(ctor, PROCESS_BRAND)) {
      const ref = locateExportedFunction(ctor, 'Process subclass');
      const fields: Record<string, unknown> = {};
      for (const key of Object.keys(this)) {
        const path = `field \`${key}\` of ${this.#name}`;
        const value = encodeQueues((this as Record<string, unknown>)[key], path);
        assertCloneable(value, path);
        fields[key] = value;
      }
      subclass = { ref, fields };
    }
    const runtime = getRuntime();
    return {
      name: this.#name,
      identity: this.#identity,
      daemon: this.#daemon,
      parent: { name: runtime.name, pid: process.pid },
      target,
      subclass,
      args,
      log: currentLogSettings(),
      transport: transportSettings(),
    };
  }

  #handleMessage(message: ProtocolMessage): void {
    switch (message.rxmp) {
      case 'ready':
        logEvent('debug', '%s (pid %s) imported its target', this.#name, this.#handle?.pid);
        break;
      case 'init-failed':
        this.#initError = message.error;
        recordChildFailure(this.#name, this.#handle?.pid, message.error);
        break;
      case 'failed':
        recordChildFailure(this.#name, this.#handle?.pid, message.error);
        break;
      case 'dying-on':
        this.#dyingOn = message.item;
        break;
      case 'boot':
      case 'consume-jobs':
      case 'consume-end':
      case 'consume-results':
      case 'consume-progress':
      case 'inbox':
      case 'routes':
      case 'route':
      case 'release':
      case 'produced':
      case 'exiting':
      case 'pool-ready':
      case 'pool-task':
      case 'pool-done':
      case 'pool-stop':
        // consume() and Pool listen to their children's channel themselves; a join() waits for the exit itself.
        break;
      default:
        message satisfies never;
    }
  }

  /** @internal See TrackedChild. */
  [HOLD_PARENT](held: boolean, reason: HoldReason = 'queue'): void {
    if (held) this.#heldFor.add(reason);
    else this.#heldFor.delete(reason);
    this.#applyRef();
  }

  #applyRef(): void {
    if (!this.#daemon || !this.#handle) return;
    if (this.#joiners > 0 || this.#heldFor.size > 0) this.#handle.ref();
    else this.#handle.unref();
  }

  #waitForExit(ms: number | null, signal?: AbortSignal): Promise<void> {
    const exited = this.#exited as Promise<void>;
    // A daemon's handle is unref'd; waiting on it must keep this process alive until it settles.
    this.#joiners++;
    this.#applyRef();
    const release = (): void => {
      this.#joiners--;
      this.#applyRef();
    };
    if ((ms === null || ms >= MAX_TIMER_MS) && !signal) return exited.then(release);
    return new Promise<void>((resolve, reject) => {
      const cleanUp = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const done = (): void => {
        cleanUp();
        resolve();
      };
      const onAbort = (): void => {
        cleanUp();
        reject(abortError(signal as AbortSignal, 'join() was aborted.'));
      };
      const timer = ms === null || ms >= MAX_TIMER_MS ? undefined : setTimeout(done, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      void exited.then(done);
    }).finally(release);
  }

  #signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.#assertNotClosed();
    if (this.#state !== 'started' || !this.#handle) {
      throw new ProcessStateError(`Cannot ${signal === 'SIGTERM' ? 'terminate' : 'kill'} ${this.#name}: it was never started.`);
    }
    if (this.#exitCode !== null) return;
    try {
      this.#handle.kill(signal);
    } catch {
      // Already gone: the 'exit' event will record how it ended.
    }
  }

  #assertNotClosed(): void {
    if (this.#state === 'closed') throw new ProcessStateError(`${this.#name}: process object is closed. Create a new Process to run again.`);
  }

  #assertCreator(action: 'start' | 'join' | 'test'): void {
    if (this.#creatorPid !== process.pid) {
      throw new ProcessStateError(
        action === 'start'
          ? `Can only start a process object created by the current process; ${this.#name} was created by pid ${this.#creatorPid}.`
          : `Can only ${action === 'join' ? 'join' : 'test'} a child process; ${this.#name} is this process itself.`,
      );
    }
  }

  static {
    Object.defineProperty(this, PROCESS_BRAND, { value: true });
  }
}

// join()'s argument: Python's join(timeout) (a number, null or undefined), or { timeout, signal }.
function readJoinOptions(argument: unknown): { timeout: unknown; signal: AbortSignal | undefined } {
  if (typeof argument !== 'object' || argument === null) return { timeout: argument, signal: undefined };
  if (Array.isArray(argument)) {
    throw new TypeError(`Expected the argument of join() to be a timeout in milliseconds or an options object { timeout, signal }, got an array.`);
  }
  const { timeout, signal } = readFields(argument, ['timeout', 'signal'], 'join()');
  return { timeout, signal: readSignal(signal, 'join()') };
}

export function resolveTarget(target: Target | TargetReference | undefined): ModuleExportRef | null {
  if (target === undefined || target === null) return null;
  if (typeof target === 'function') return locateExportedFunction(target, 'target');
  if (typeof target === 'object') {
    let module: unknown;
    let exportName: unknown;
    try {
      ({ module, export: exportName } = target);
    } catch (cause) {
      throw new TargetResolutionError(`Reading \`target\` threw: ${cause instanceof Error ? cause.message : showValue(cause)}. Pass an exported function or a plain \`{ module, export }\`.`);
    }
    if ((typeof module === 'string' || module instanceof URL) && typeof exportName === 'string') return { module: normalizeModule(module), exportName };
  }
  throw new TargetResolutionError(
    `Expected \`target\` to be an exported function or \`{ module, export }\`, got \`${showValue(target)}\` (${typeof target}).`,
  );
}

// Relative paths are relative to the working directory, as a user typing them would expect.
function normalizeModule(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^\.{0,2}\//.test(module)) return pathToFileURL(module.startsWith('/') ? module : `${process.cwd()}/${module}`).href;
  return module;
}

// Forwards a child's stderr to ours as it comes and keeps its last STDERR_TAIL_BYTES. Settles when
// the stream ends, or shortly after, since a grandchild holding the pipe open may delay its end.
function captureTail(stderr: NodeJS.ReadableStream & { unref?: () => void }, daemon: boolean): Promise<string> {
  let tail = '';
  if (daemon) stderr.unref?.();
  stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });
  return new Promise((resolve) => {
    stderr.once('end', () => resolve(tail));
    stderr.once('error', () => resolve(tail));
  });
}

const STDERR_TAIL_BYTES = 4096;

interface RestoreOptions {
  [RESTORE]?: { name: string; daemon: boolean };
}
