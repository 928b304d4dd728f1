import type { Observable, Subscribable } from 'rxjs';
import { createObservable } from './rx.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { locateTarget, withInlineTarget } from './target-ref.js';
import { abortable } from './abortable.js';
import { readSignal } from '../internal/abort.js';
import type { ExplicitType, OptionsArgument } from './target-types.js';
import { PRODUCER_END } from '../child/producer-runner.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import { Process, type ArgsOption, type ProcessOptions, type TargetReference } from '../process/process.js';
import { CAPTURE_STDERR, DISPOSE_QUEUE, REMOTE_ITEMS, SOLE_PRODUCER } from '../internal/symbols.js';
import { Queue } from '../process/queue.js';
import { markDirect } from './direct-source.js';
import { kindOf, show, validateArgs, validateName, validateOptionsObject } from './option-checks.js';
import { DRAIN_AFTER_EXIT_MS, exitError, whenExitingWith0 } from './producer-exit.js';
import { currentGate } from './gate.js';
import { inlineProducer, inlineQueueProducer } from './inline.js';
import { contextOptions, resolveContext, type Context } from './context.js';

/**
 * Options of {@link producer}; `A` types `args`, inferred from the target's parameters.
 *
 * @example
 * ```ts
 * export function* count(from: number, to: number): Generator<number> { for (let i = from; i < to; i++) yield i; }
 * if (isMainModule(import.meta.url)) {
 *   const options = { args: [0, 5], name: 'counter', window: 64 } satisfies ProducerOptions<[number, number]>;
 *   producer(count, options).subscribe(console.log); // 0 1 2 3 4
 * }
 * ```
 */
export interface ProducerOptions<A extends readonly unknown[] = readonly unknown[]> {
  /** Arguments for the target (structured-cloneable; queues allowed). */
  readonly args?: Readonly<A>;
  /** The child's process name. */
  readonly name?: string;
  /** Pass a queue as the target's first argument; what the target puts into it is emitted. */
  readonly queue?: boolean;
  /**
   * Items produced ahead of demand (the child's credit). Default 512; under queue()/consume(), half of
   * the queue's maxsize if less (as a producer's credit on the direct path), so that the items pulled
   * ahead follow maxsize whatever operators stand between them. On the direct path (a producer piped
   * straight into queue()/consume(), see mergeProducers) the queue's credit bounds it instead.
   */
  readonly window?: number;
  /**
   * `'process'`: the producer is a child process; `'thread'`: a worker thread of this process, which
   * starts without a process's fork, exec and Node boot (see docs/threads.md for what
   * differs). Default: the start method's (see setStartMethod): a process unless it was set to
   * 'thread' (or 'inline').
   */
  readonly context?: Context;
  /**
   * Aborting it fails the Observable with an AbortError (a DOMException, its `cause` the signal's
   * reason) and terminates the child; an aborted signal fails it at subscription, before any starts.
   * (A producer with a signal is not taken on mergeProducers' direct path: the signal must see it.)
   */
  readonly signal?: AbortSignal;
}

/**
 * The items of a producer whose target returns (or resolves to) `R`: what a generator, async
 * generator, iterable or Observable yields, nothing for `undefined`, else the value itself. A string
 * is one item, not its characters.
 *
 * @example
 * type Ticks = ProducedItem<AsyncGenerator<number>>; // number
 * type Row = ProducedItem<{ id: number }[]>;          // { id: number }
 */
export type ProducedItem<R> = R extends undefined | void
  ? never
  : R extends string
    ? R
    : R extends AsyncIterable<infer T>
      ? T
      : R extends Iterable<infer T>
        ? T
        : R extends Observable<infer T>
          ? T
          : R extends Subscribable<infer T>
            ? T
            : R;

/**
 * A cold Observable of what `target` produces in a child process: the values it yields (generator or
 * async generator), the values of an iterable or Observable it returns, the value it returns, or —
 * with `queue: true` — the items it puts into the queue it gets as first argument. Each subscription
 * forks one child; the Observable completes when the child exits with 0 and errors with
 * ProcessExitError otherwise. (A child whose work is done says it is exiting with 0 and exits at
 * once: that word completes the Observable, a few ms before the kernel reports the pid gone.)
 * Unsubscribing terminates the child.
 *
 * The child produces at most `window` values ahead of what was taken: a generator is pulled only
 * while there is room, and under `consume()` (or `queue()`) only while the queue has room.
 *
 * Types come from the target: the item type from what it yields, returns or (with `queue: true`)
 * puts into its `Queue<T>` parameter (see ProducedItem), and `args` must match its parameters (and
 * are required if they are). A `{ module, export }` target is untyped: give the item type,
 * `producer<Item>(ref)`; an explicit item type with a function target checks what it produces, not
 * its `args`.
 *
 * @example
 * ```ts
 * export function* numbers(n: number): Generator<number> { for (let i = 0; i < n; i++) yield i; }
 * if (isMainModule(import.meta.url)) {
 *   producer(numbers, { args: [3] }).subscribe(console.log); // 0 1 2, from a child process
 * }
 * ```
 */
export function producer<T, A extends unknown[]>(
  target: (queue: Queue<T>, ...args: A) => unknown,
  options: ProducerOptions & ArgsOption<NoInfer<A>> & { readonly queue: true },
): Observable<T>;
export function producer<A extends unknown[], R>(
  target: (...args: A) => R,
  ...options: OptionsArgument<ProducerOptions & ArgsOption<NoInfer<A>> & { readonly queue?: false }, NoInfer<A>>
): Observable<ProducedItem<Awaited<R>>>;
export function producer<T = unknown>(target: TargetReference, options?: ProducerOptions): Observable<T>;
export function producer<T = never>(target: (...args: never[]) => ProducerOutput<ExplicitType<NoInfer<T>>>, options?: ProducerOptions & { readonly queue?: false }): Observable<T>;
export function producer<T = never>(target: (queue: Queue<ExplicitType<NoInfer<T>>>, ...args: never[]) => unknown, options: ProducerOptions & { readonly queue: true }): Observable<T>;
export function producer<T>(target: ((...args: never) => unknown) | TargetReference, input: object = {}): Observable<T> {
  const options = (validateOptionsObject(input, 'producer()', "producer(target, { args: [1, 'a'] })") ?? {}) as ProducerOptions;
  const signal = readSignal(options.signal, 'producer()');
  const args = validateArgs(options.args);
  const name = validateName(options.name);
  if (options.queue !== undefined && typeof options.queue !== 'boolean') {
    throw new TypeError(`Expected \`queue\` to be a boolean, got \`${show(options.queue)}\` (${kindOf(options.queue)}).`);
  }
  const context = resolveContext(options.context);
  if (context === 'inline') {
    const inline = withInlineTarget(target as ((...args: unknown[]) => unknown) | TargetReference, 'producer target', (fn) =>
      options.queue ? inlineQueueProducer<T>(fn, args) : inlineProducer<T>(fn, args),
    );
    return abortable(inline, signal, 'producer()');
  }
  const ref: ModuleExportRef = locateTarget(target, 'producer target');
  if (options.window !== undefined && (!Number.isInteger(options.window) || options.window < 1)) {
    throw new TypeError(`Expected \`window\` to be a positive integer, got \`${show(options.window)}\` (${typeof options.window}).`);
  }
  const observable = createObservable<T>((subscriber) => {
    const gate = currentGate();
    if (gate) gate.attached++;
    const window = options.window ?? (gate ? Math.max(1, Math.min(DEFAULT_WINDOW, Math.ceil(gate.maxsize / 2))) : DEFAULT_WINDOW);
    // Its items come from the child, already copies: get() need not copy them again.
    const channel = new Queue<unknown>(window, { backend: 'local' })[REMOTE_ITEMS]();
    // Only the child puts into it: let it take credit for the whole window, in half as many requests.
    channel[SOLE_PRODUCER]();
    const child = new Process({
      target: PRODUCER_TARGET,
      args: [channel, ref, args, options.queue === true],
      name,
      [CAPTURE_STDERR]: true,
      ...contextOptions(context),
    } as ProcessOptions);
    let active = true;
    child.start();
    const exited = child.join();
    let saidExit0 = false;
    const exitingWith0 = new Promise<void>((resolve) => whenExitingWith0(child, resolve)).then(() => (saidExit0 = true));

    let ended = false;
    const fail = (error: unknown): void => {
      if (!active) return;
      active = false;
      subscriber.error(error);
    };
    // The child's exit is watched on its own, never raced against channel.get(): a get that lost a
    // race would stay registered and swallow the next item. A failed child errors the output at once;
    // a successful one flushed everything before exiting, so its end marker must follow shortly.
    void exited.then(async () => {
      if (child.exitCode !== 0) {
        const error = await exitError(child);
        // What it produced before failing arrived before its exit was seen: emit that first, as the
        // queue behind us has room for it (its bound holds for a dead producer's leftovers too).
        while (active && channel.qsize() > 0) {
          if (gate && !gate.isOpen()) {
            await gate.whenOpen();
            continue;
          }
          const next = channel.getNowait();
          if (isEnd(next)) break;
          subscriber.next(next as T);
        }
        return fail(error);
      }
      watchDrain();
    });

    // A child that exited with 0 flushed everything, its end marker last. While we are still reading
    // what it left (or paused by a full queue behind us) its output is not lost, however long that
    // takes; only a channel that stays empty, unread and without the marker means it never sent it.
    let taken = 0;
    const watchDrain = (): void => {
      let takenBefore = taken;
      const timer = setInterval(() => {
        if (ended || !active) return clearInterval(timer);
        if (taken !== takenBefore || channel.qsize() > 0 || (gate && !gate.isOpen())) {
          takenBefore = taken;
          return;
        }
        clearInterval(timer);
        fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail: 'exited with 0 before its output was complete' }));
      }, DRAIN_AFTER_EXIT_MS);
      timer.unref();
    };

    void (async () => {
      try {
        for (;;) {
          if (gate && !gate.isOpen()) await gate.whenOpen();
          if (!active) return;
          // Take what is already here without a promise; wait only when the channel is empty.
          const next = channel.qsize() > 0 ? channel.getNowait() : await channel.get();
          if (!active) return;
          if (isEnd(next)) break;
          taken++;
          subscriber.next(next as T);
        }
        ended = true;
        await Promise.race([exitingWith0, exited]);
        if (active && (saidExit0 || child.exitCode === 0)) {
          active = false;
          subscriber.complete();
        }
      } catch (error) {
        fail(error);
      }
    })();

    return () => {
      active = false;
      if (gate) gate.attached--;
      // One that said it is exiting with 0 is left to: a signal now would only change its exit code.
      if (child.exitCode === null && !saidExit0) child.terminate();
      // Keep serving the channel until the child is gone: it may still be flushing.
      void exited.then(() => channel[DISPOSE_QUEUE]());
    };
  });
  // Aborting unsubscribes first: the teardown terminates the child.
  if (signal) return abortable(observable, signal, 'producer()');
  return markDirect(observable, [{ ref, args, name, passQueue: options.queue === true, context }]);
}

/** What a producer target may return for items of type `T` (see ProducedItem). */
type ProducerOutput<T> = T | Iterable<T> | AsyncIterable<T> | Subscribable<T> | void | PromiseLike<T | Iterable<T> | AsyncIterable<T> | Subscribable<T> | void>;

function isEnd(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[PRODUCER_END] === true;
}

const DEFAULT_WINDOW = 512;

const PRODUCER_TARGET = bootstrapExport('runProducer');
