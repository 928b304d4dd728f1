import type { Observable, OperatorFunction, Subscription } from 'rxjs';
import { createObservable } from './rx.js';
import type { ConsumerResult } from '../child/consumer-input.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { TaskError } from '../errors/task-error.js';
import { abortable } from './abortable.js';
import type { ExplicitType, InitargsOption, OptionsArgument } from './target-types.js';
import { locateTarget, withInlineTarget } from './target-ref.js';
import { nextPrefetchWindow } from '../internal/prefetch-window.js';
import { Process, type ArgsOption, type Target, type TargetReference } from '../process/process.js';
import type { Pool } from '../pool/pool.js';
import { assertItem, Queue } from '../process/queue.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { DISPOSE_QUEUE, DYING_ON, FIX_PREFETCH, HANDLE, ON_TASK_DONE } from '../internal/symbols.js';
import { IpcConsumerLink, queueLink, type ConsumerLink } from './consumer-link.js';
import { DispatchCore, type Job } from './dispatch-core.js';
import { currentGate, DemandGate, withGate } from './gate.js';
import { inlineConsume } from './inline.js';
import type { Context } from './context.js';
import { getQueueOptions, overfilled, validateQueueOptions, type QueueOperatorOptions } from './queue.js';
import { consumerInit, consumerOptions, maxConsumerWindow, validateConsumeOptions, type ConsumeSettings } from './consume-settings.js';
import { finishConsumers } from './finish-consumers.js';
import { brokerFreeConsume, canGoBrokerFree } from './broker-free-consume.js';
import { directConsume } from './direct-consume.js';
import { directProducersOf } from './direct-source.js';
import { reportedError } from './reported-error.js';
import { OutputOrder, SKIPPED } from './output-order.js';
import { poolConsume } from './pool-consume.js';
import { RestartBudget, type RestartVerdict } from './restart-budget.js';
import { describeItem } from '../internal/describe-item.js';
import { redisBackendFor, REDIS_URL_VARIABLE } from '../queue/select-backend.js';
import { redisConsume } from './redis-consume.js';

/**
/**
 * Options of {@link consume}. `A` types `args` (the handler's parameters after the item) and `I`
 * types `initargs` (the initializer's parameters); both are inferred from the functions given to consume().
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * export function openDb(url: string): void { console.log(`connecting to ${url}`); }
 * export function lookup(id: number): string { return `row ${id}`; }
 * if (isMainModule(import.meta.url)) {
 *   const options = { processes: 2, ordered: true, onError: 'skip' } satisfies ConsumeOptions;
 *   from([1, 2, 3]).pipe(consume(lookup, { ...options, initializer: openDb, initargs: ['db://local'] })).subscribe(console.log); // row 1, row 2, row 3
 * }
 * ```
 */
export interface ConsumeOptions<A extends readonly unknown[] = readonly unknown[], I extends readonly unknown[] = never[]> extends QueueOperatorOptions {
  /**
   * `'process'`: each consumer is a child process; `'thread'`: a worker thread of this process, which
   * starts without a process's fork, exec and Node boot (see docs/threads.md for what
   * differs). Default: the start method's (see setStartMethod): processes unless it was set to
   * 'thread' (or 'inline').
   */
  readonly context?: Context;
  /** Consumer processes. Default: cpuCount(). */
  readonly processes?: number;
  /**
   * Daemon consumers (default) are terminated as soon as every item is done; non-daemon consumers
   * get end-of-stream and the output completes when they have exited.
   */
  readonly daemon?: boolean;
  /** Consumer process names are `${name}1`, `${name}2`, … (default: Process-N). */
  readonly name?: string;
  /** Extra arguments for the handler, after the item. */
  readonly args?: Readonly<A>;
  /**
   * Runs `initializer(...initargs)` once in each consumer process before its first item, as Python's
   * `Pool(initializer, initargs)`: open a connection, load a model, say so to the parent. Exported
   * from a module, as the handler (or `{ module, export }`, except under setStartMethod('inline'));
   * a Promise it returns is awaited. State it keeps at its module's
   * top level is there for the handler. If it throws, its consumer exits with code 1 (the stack on
   * stderr) and its items go to the other consumers: when none is left, the output fails with
   * ConsumerExitedError.
   */
  readonly initializer?: ((...args: I) => unknown) | TargetReference;
  /** The initializer's arguments (queues included, as for a process's args); required if its parameters are. Default: none. */
  readonly initargs?: [I] extends [never[]] ? readonly unknown[] : Readonly<I>;
  /**
   * Items each consumer may hold (in progress and queued for it). Default: adaptive — 4, doubled
   * after each run of results whose items took under 1 ms on average and halved after one of 2 ms
   * or more, between 4 and the queue's maxsize shared among the consumers (at most 1,024 each), so
   * the consumers together hold at most about maxsize items besides the queue's. A number fixes it.
   * On the direct path (see mergeProducers) the window is the queue proxy's, timed per item from 1,
   * and its cap is at least two of a producer's batches (half of maxsize, all of it for a single
   * producer, at most 512), so that batches travel whole: up to about 2 x maxsize per consumer.
   */
  readonly prefetch?: number;
  /** Emit results in the source's order (default false: as they finish). */
  readonly ordered?: boolean;
  /**
   * Consumers that die (a SIGKILL, a crash, `process.exit()` in the handler) are replaced, as Python's
   * Pool replaces its workers, up to this many times in all; their items go to the others meanwhile.
   * Once it is spent, dead consumers are no longer replaced, and the output fails with
   * ConsumerExitedError when none is left. An item that was in progress in as many dead consumers as
   * there are `processes` (at least 2) fails the output at once, whatever is left of the budget: the
   * error names it (`poisonItem`, on the general path) and counts the consumers it killed. Default:
   * 4 per consumer (`4 * processes`); 0 turns replacement off. A non-negative integer or Infinity.
   */
  readonly maxRestarts?: number;
  /** A consumer died holding items: `'redeliver'` them to the others (default) or `'error'`. */
  readonly onConsumerExit?: 'redeliver' | 'error';
  /** The handler threw: `'fail'` the output (default) or `'skip'` the item. */
  readonly onError?: 'fail' | 'skip';
  /**
   * `'auto'` (default): `handler(item, ...args)` runs per item, and the item is done when it settles.
   * `'manual'`: the seed's style — the target gets its consumer's JoinableQueue, `target(q, ...args)`,
   * loops on `await q.get()` and calls `q.taskDone()` itself; values it yields (an async generator)
   * are emitted. Such consumers never end by themselves, so they must be daemons.
   */
  readonly taskDone?: 'auto' | 'manual';
  /**
   * Runs the handler on this Pool's warm workers instead of starting consumer processes: a pipeline
   * then starts nothing, and the pool outlives it (close it yourself). Completion, backpressure
   * (`maxsize`), `ordered`, `onError`, redelivery of a dead worker's items and `maxRestarts` keep
   * their meaning; the pool's size, initializer and context apply, so `processes`, `initializer`,
   * `context` and `taskDone: 'manual'` cannot be given with it. Unsubscribing stops the source; tasks already in
   * the pool finish there.
   */
  readonly pool?: Pool;
  /**
   * Aborting it fails the output with an AbortError (a DOMException, its `cause` the signal's
   * reason) and terminates every consumer child; an aborted signal fails it at subscription, before
   * any starts. With `pool`, the source stops and the pool (yours) keeps running.
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs `handler(item, ...args)` for every item in `processes` child processes and emits what it
 * returns. Each item counts as done (taskDone) when its handler settles; the output completes when
 * the source has completed and every item is done — `await lastValueFrom(out$)` is `q.join()`.
 * Placed after `queue()`, it uses that queue's bound; producer children upstream are paused while
 * it is full. Feeding a later `queue()`, its own consumers get no more items while that queue is
 * full, so a multi-stage pipeline holds each stage's bound.
 *
 * Types come from the handler: `consume(square)`, with `square(n: number): number`, is an
 * `OperatorFunction<number, number>` (an async handler's result is awaited), `args` must match the
 * parameters after the item (and are required if they are), and `initargs` the initializer's. A
 * `{ module, export }` handler is untyped: give the types, `consume<Item, Result>(ref)`. Explicit
 * type arguments check the item and result against a function handler, not its `args`.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * // The handler is exported, and the pipeline runs only in the main module: each consumer child
 * // imports this file to find `square`, and must not start the pipeline again.
 * export function square(n: number): number { return n * n; }
 * if (isMainModule(import.meta.url)) {
 *   from([1, 2, 3]).pipe(consume(square, { processes: 2, ordered: true })).subscribe(console.log); // 1 4 9
 * }
 * ```
 */
export function consume<T, A extends unknown[], R = never, I extends unknown[] = never[]>(
  target: (queue: JoinableQueue<T>, ...args: A) => AsyncIterable<R> | PromiseLike<void> | void,
  options: ConsumeOptions<readonly unknown[], I> & ArgsOption<NoInfer<A>> & InitargsOption<NoInfer<I>> & { readonly taskDone: 'manual' },
): OperatorFunction<T, R>;
export function consume<T, A extends unknown[], R, I extends unknown[] = never[]>(
  handler: (item: T, ...args: A) => R,
  ...options: OptionsArgument<ConsumeOptions<readonly unknown[], I> & ArgsOption<NoInfer<A>> & InitargsOption<NoInfer<I>> & { readonly taskDone?: 'auto' }, NoInfer<A>>
): OperatorFunction<T, Awaited<R>>;
export function consume<T = unknown, R = unknown>(handler: TargetReference, options?: ConsumeOptions): OperatorFunction<T, R>;
export function consume<T = never, R = never>(
  handler: ((item: ExplicitType<NoInfer<T>>, ...args: never[]) => NoInfer<R> | PromiseLike<NoInfer<R>>) | ((queue: JoinableQueue<ExplicitType<NoInfer<T>>>, ...args: never[]) => unknown),
  options?: ConsumeOptions,
): OperatorFunction<T, R>;
export function consume<T, R>(handler: ((...args: never) => unknown) | TargetReference, options: object = {}): OperatorFunction<T, R> {
  const settings = validateConsumeOptions(options as ConsumeOptions<readonly unknown[], never>);
  const operator = consumeOperator<T, R>(handler, settings, options as ConsumeOptions<readonly unknown[], never>);
  const { signal } = settings;
  // Aborting unsubscribes the pipeline first: its teardown ends every consumer child.
  return signal ? (source) => abortable(operator(source), signal, 'consume()') : operator;
}

// consume() without its signal.
function consumeOperator<T, R>(handler: ((...args: never) => unknown) | TargetReference, settings: ConsumeSettings, options: ConsumeOptions<readonly unknown[], never>): OperatorFunction<T, R> {
  // A queue() just before this operator sets the bound; otherwise our own options do.
  const queueOptionsOf = (source: Observable<T>): Required<QueueOperatorOptions> => getQueueOptions(source) ?? validateQueueOptions(options);
  if (settings.context === 'inline') {
    return (source) =>
      withInlineTarget(handler as ((item: T, ...args: unknown[]) => unknown) | TargetReference, 'consumer handler', (fn) => inlineConsume<T, R>(source, fn, settings, queueOptionsOf(source).maxsize));
  }
  const ref = locateTarget(handler, 'consumer handler');
  const { pool } = settings;
  if (pool) {
    return (source) => {
      const { maxsize, overflow } = queueOptionsOf(source);
      return poolConsume<T, R>(source, pool, ref, settings, maxsize, overflow);
    };
  }
  const init = consumerInit(settings);
  return (source) => {
    // A manual consumer loops on a queue of its own, which the parent fills: that stays local.
    const { backend } = queueOptionsOf(source);
    if (!settings.manual && backend !== 'local') {
      const fallback = localConsume(source);
      return createObservable<R>((subscriber) => {
        // 'auto' reads RXMP_REDIS_URL as each run starts, and names each run afresh.
        const redisBackend = redisBackendFor(backend);
        const { maxsize, overflow, remoteProducers } = queueOptionsOf(source);
        if (redisBackend) {
          // Producer children alone upstream put into Redis themselves (see runRedisProducer).
          const producers = directProducersOf(source);
          const direct = producers && !settings.ordered && remoteProducers === 0 && !producers.some((spec) => spec.passQueue) ? producers : undefined;
          return redisConsume<T, R>(source, redisBackend, ref, init, settings, maxsize, overflow, remoteProducers, direct).subscribe(subscriber);
        }
        // Waiting for producers that can only reach a queue in Redis would never end.
        if (remoteProducers > 0) return subscriber.error(new TypeError(`\`remoteProducers\` needs a queue in Redis: give \`backend: redis(url, { name })\`, or set ${REDIS_URL_VARIABLE}.`));
        return fallback.subscribe(subscriber);
      });
    }
    return localConsume(source);
  };

  function localConsume(source: Observable<T>): Observable<R> {
    const producers = directProducersOf(source);
    if (producers && settings.direct) {
      const { maxsize } = queueOptionsOf(source);
      const fast = canGoBrokerFree(producers, settings, maxsize) ? brokerFreeConsume<R>(producers, ref, init, settings, maxsize) : directConsume<R>(producers, ref, init, settings, maxsize);
      // Under a later stage's queue our consumers must pause while it is full: only the general path
      // can (it hands them their items), so a stage that feeds another takes it.
      return createObservable<R>((subscriber) => (currentGate() ? general(source) : fast).subscribe(subscriber));
    }
    return general(source);
  }

  function general(source: Observable<T>): Observable<R> {
    return createObservable<R>((subscriber) => {
      const { maxsize, overflow } = queueOptionsOf(source);
      const core = new DispatchCore<T>(maxsize, settings.prefetch);
      // Tiny items need hundreds in flight to keep a consumer from waiting on the parent between
      // batches; slow ones need few, so an idle consumer is never short of work another one holds.
      // The cap shares maxsize among the consumers: together they hold no more than the queue may.
      const maxWindow = maxConsumerWindow(settings, maxsize);
      const gate = new DemandGate(maxsize);
      // The queue of a later stage, if we feed one: while it is full, our consumers get no more items,
      // so they land at most what they hold (their windows) and our own source pauses in turn.
      const downstream = currentGate();
      const mayLandAfterShut = settings.processes * maxWindow;
      if (downstream) downstream.attached += mayLandAfterShut;
      let awaitingDownstream = false;
      // Items put back by a consumer that died may take the buffer past maxsize: they never count as
      // a source overfilling it.
      let redelivered = 0;
      // Manual consumers put what they yield into a queue (their targets use queues); the others
      // report over their IPC channel (see ConsumerLink).
      const results = settings.manual ? new Queue<ConsumerResult>(0, { backend: 'local' }) : undefined;
      // Every consumer gets the items themselves, in the order the dispatcher assigned them.
      const workers = new Map<number, { process: Process; link: ConsumerLink }>();
      const order = new OutputOrder<R>(settings.ordered, (value) => subscriber.next(value));
      let finished = false;
      let sourceSubscription: Subscription | undefined;

      const fail = (error: unknown): void => {
        if (finished) return;
        finished = true;
        subscriber.error(error);
      };

      const emit = (seq: number, value: R | typeof SKIPPED): void => order.emit(seq, value);

      const stats = (options as { [CONSUME_STATS]?: (s: { buffered: number; inflight: number }) => void })[CONSUME_STATS];
      const dispatch = (): void => {
        stats?.({ buffered: core.buffered, inflight: core.inflight });
        if (downstream && !downstream.isOpen()) {
          if (!awaitingDownstream) {
            awaitingDownstream = true;
            void downstream.whenOpen().then(() => {
              awaitingDownstream = false;
              if (!finished) dispatch();
            });
          }
        } else {
          for (const { worker, items } of core.assignBatches()) workers.get(worker)?.link.send(items);
        }
        if (core.buffered <= maxsize) redelivered = 0;
        if (!core.isFull()) gate.open();
        maybeComplete();
      };

      // A producer hands over a whole batch of items in one synchronous run: they are dispatched
      // together once it ends, not one by one (each dispatch scans the workers).
      let dispatchScheduled = false;
      const scheduleDispatch = (): void => {
        if (dispatchScheduled) return;
        dispatchScheduled = true;
        queueMicrotask(() => {
          dispatchScheduled = false;
          if (!finished) dispatch();
        });
      };

      // Completion waits one turn: a manual consumer's last yields reach the results queue before
      // the taskDone that completes us, but may have been handed to the pending get() whose
      // continuation has not run yet, or still sit in the queue. Both are emitted first.
      let completionScheduled = false;
      const maybeComplete = (): void => {
        if (finished || completionScheduled || !core.isDone()) return;
        completionScheduled = true;
        setImmediate(() => {
          completionScheduled = false;
          while (!finished && results && results.qsize() > 0) if (!handleResult(results.getNowait())) return;
          if (!finished && core.isDone()) complete();
        });
      };

      const complete = (): void => {
        finished = true;
        finishConsumers(workers.values(), settings.daemon, subscriber);
      };

      const budget = new RestartBudget(settings.maxRestarts, settings.processes);
      const onWorkerExit = (id: number): void => {
        const worker = workers.get(id);
        if (!worker || finished) return;
        const lost: Job<T>[] = core.removeWorker(id);
        workers.delete(id);
        worker.link.dispose();
        const { process } = worker;
        const reported = reportedError(process);
        if (reported) return fail(reported);
        const failWith = (reason: string, verdict?: RestartVerdict): void =>
          fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: lost.length + core.buffered, ...verdict, reason }));
        if (settings.onConsumerExit === 'error' && lost.length > 0) return failWith("onConsumerExit is 'error'.");
        // Its handler ended it on an item (it said so on the way out; a SIGKILL from outside says
        // nothing): it handles its items in order, so that was the oldest it held.
        const dyingOn = process[DYING_ON];
        const oldest = lost[0];
        const suspect = dyingOn === undefined ? undefined : oldest ? { key: oldest.seq, describe: () => describeItem(oldest.seq, oldest.item) } : { key: dyingOn, describe: () => dyingOn };
        const verdict = budget.onConsumerDied(suspect);
        if (verdict?.poison) return failWith(verdict.reason, verdict);
        if (!verdict) startWorker(nextWorkerId++);
        else if (core.workerCount === 0) return failWith(`no consumer is left to take them: ${verdict.reason}`, verdict);
        redelivered += lost.length;
        core.requeue(lost);
        if (core.isFull()) gate.shut();
        dispatch();
      };

      // One consumer's outcomes: emit them, finish their items, hand out more work. Returns false once
      // the output failed.
      const handleResult = (result: ConsumerResult): boolean => {
        if ('yielded' in result) {
          subscriber.next(result.yielded as R); // yielded by a manual consumer, not tied to one item
          return true;
        }
        const { worker, values, error } = result;
        if (settings.adaptive) {
          const timed = values.length + (error ? 1 : 0);
          core.adaptWindow(worker, (window) => nextPrefetchWindow(window, result.busyMs, timed, settings.prefetch, maxWindow));
        }
        // A consumer handles its items in order: each outcome is its oldest item's. None held (it was
        // removed and its items redelivered) means the outcome is stale.
        for (const value of values) {
          const seq = core.finishOldest(worker);
          if (seq !== undefined) emit(seq, value as R);
        }
        if (error) {
          const seq = core.finishOldest(worker);
          if (seq !== undefined && settings.onError === 'skip') emit(seq, SKIPPED);
          else if (seq !== undefined) {
            fail(new TaskError({ processName: workers.get(worker)?.process.name ?? `consumer ${worker}`, seq, ...error }));
            return false;
          }
        }
        dispatch();
        return true;
      };

      const readResults = async (queue: Queue<ConsumerResult>): Promise<void> => {
        while (!finished) {
          const result = queue.qsize() > 0 ? queue.getNowait() : await queue.get();
          if (finished || !handleResult(result)) return;
        }
      };

      const startWorker = (id: number): void => {
        const own = consumerOptions(settings, id);
        let process: Process;
        let link: ConsumerLink;
        if (results) {
          // The dispatcher redelivers a dead consumer's items itself, and its queue is dropped.
          const jobs = new JoinableQueue<unknown>(settings.prefetch + 1, { redeliver: false, backend: 'local' });
          // A manual consumer takes its items in order, so each taskDone finishes its oldest item.
          jobs[ON_TASK_DONE]((count) => {
            for (let i = 0; i < count; i++) core.finishOldest(id);
            dispatch();
          });
          // The dispatcher already bounds what each consumer holds (prefetch): let its proxy take all
          // of it at once instead of asking item by item, a round trip each time a handler is slow.
          jobs[FIX_PREFETCH](settings.prefetch + 1);
          process = new Process({ target: LOOP_CONSUMER_TARGET, args: [results, jobs, ref, settings.args, id, init], daemon: settings.daemon, ...own });
          process.start();
          link = queueLink(jobs, process[HANDLE]);
        } else {
          process = new Process({ target: CONSUMER_TARGET, args: [ref, settings.args, id, init], daemon: settings.daemon, ...own });
          process.start();
          link = new IpcConsumerLink(
            process[HANDLE],
            (result) => {
              if (!finished) handleResult(result);
            },
            fail,
          );
        }
        workers.set(id, { process, link });
        core.addWorker(id);
        void Promise.all([process.join(), link.drained]).then(() => onWorkerExit(id));
      };
      // Replacements get new ids: an outcome is matched to the worker that holds its item.
      let nextWorkerId = settings.processes;
      for (let id = 0; id < settings.processes; id++) startWorker(id);
      if (results) void readResults(results).catch(fail);

      sourceSubscription = withGate(gate, () =>
        source.subscribe({
          next: (item) => {
            // An item a consumer could not be sent fails the output here, naming it (thrown from
            // the dispatch below, RxJS would report it as unhandled and the process would crash).
            if (typeof item !== 'string' && typeof item !== 'number') {
              try {
                assertItem(item);
              } catch (error) {
                return fail(error);
              }
            }
            core.accept(item);
            // A full buffer first hands the consumers what their windows can take, as the deferred
            // dispatch would: only what is left counts as overflow.
            if (core.isFull()) dispatch();
            // Sources under the gate may land what they promised after it shuts (see
            // DemandGate.attached), and redelivered items are none of theirs: more than that means
            // a source that cannot be slowed down.
            if (overflow === 'error' && core.buffered > maxsize + gate.attached + redelivered) {
              return fail(overfilled(maxsize));
            }
            if (core.isFull()) gate.shut();
            scheduleDispatch();
          },
          error: fail,
          complete: () => {
            core.sourceCompleted();
            maybeComplete();
          },
        }),
      );

      return () => {
        finished = true;
        if (downstream) downstream.attached -= mayLandAfterShut;
        sourceSubscription?.unsubscribe();
        for (const { process } of workers.values()) if (process.exitCode === null) process.terminate();
        const links = [...workers.values()].map(({ link }) => link);
        void Promise.all([...workers.values()].map(({ process }) => process.join())).then(() => {
          results?.[DISPOSE_QUEUE]();
          for (const link of links) link.dispose();
        });
      };
    });
  }
}

/** Test hook: an option under this key is called with the buffer's state at every dispatch. */
export const CONSUME_STATS = Symbol.for('rx-multiprocessing.consumeStats');

const CONSUMER_TARGET = bootstrapExport('runConsumer');
const LOOP_CONSUMER_TARGET = bootstrapExport('runLoopConsumer');
