import type { Observable, ObservableInput } from 'rxjs';
import { createObservable, loadRxjs } from './rx.js';
import { TaskError } from '../errors/task-error.js';
import { toRemoteError } from '../internal/protocol.js';
import { DispatchCore } from './dispatch-core.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { ON_TASK_DONE } from '../internal/symbols.js';

// The 'inline' start method: targets run in this process, with the semantics of the forked versions.

/** producer() inline: the target's output as an Observable (generator, iterable, Observable, value). */
export function inlineProducer<T>(target: (...args: unknown[]) => unknown, args: readonly unknown[]): Observable<T> {
  return createObservable<T>((subscriber) => {
    let produced: unknown;
    try {
      produced = target(...args);
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    return toObservable<T>(produced).subscribe(subscriber);
  });
}

/** producer({ queue: true }) inline: the target gets an in-process queue; what it puts is emitted. */
export function inlineQueueProducer<T>(target: (...args: never[]) => unknown, args: readonly unknown[]): Observable<T> {
  return createObservable<T>((subscriber) => {
    const sink = {
      put: (item: T): Promise<void> => {
        subscriber.next(item);
        return Promise.resolve();
      },
      putNowait: (item: T): void => subscriber.next(item),
    };
    Promise.resolve()
      .then(() => (target as (...a: unknown[]) => unknown)(sink, ...args))
      .then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
  });
}

function toObservable<T>(produced: unknown): Observable<T> {
  const { EMPTY, filter, from, isObservable, of } = loadRxjs();
  if (produced === undefined) return EMPTY;
  if (isObservable(produced)) return produced as Observable<T>;
  // A Promise of undefined (an async target that returns nothing) emits nothing, as forked.
  if (produced instanceof Promise) return from(produced as Promise<T>).pipe(filter((value) => value !== undefined));
  if (typeof produced === 'object' && produced !== null && (Symbol.iterator in produced || Symbol.asyncIterator in produced)) {
    return from(produced as ObservableInput<T>);
  }
  return of(produced as T);
}

/** consume() inline: `processes` virtual workers over the same DispatchCore; sync handlers emit synchronously. */
export function inlineConsume<T, R>(
  source: Observable<T>,
  handler: (item: T, ...args: unknown[]) => unknown,
  settings: InlineConsumeSettings & { ordered: boolean; onError: 'fail' | 'skip'; manual: boolean },
  maxsize: number,
): Observable<R> {
  if (settings.manual) return afterInitializer(inlineLoopConsume<T, R>(source, handler as (q: JoinableQueue<T>, ...args: unknown[]) => unknown, settings), settings);
  return afterInitializer(inlineHandlerConsume<T, R>(source, handler, settings, maxsize), settings);
}

function inlineHandlerConsume<T, R>(
  source: Observable<T>,
  handler: (item: T, ...args: unknown[]) => unknown,
  settings: InlineConsumeSettings & { ordered: boolean; onError: 'fail' | 'skip' },
  maxsize: number,
): Observable<R> {
  return createObservable<R>((subscriber) => {
    const core = new DispatchCore<T>(maxsize, 1);
    for (let id = 0; id < settings.processes; id++) core.addWorker(id);
    const reorder = new Map<number, { value: R } | null>();
    let nextToEmit = 0;
    let finished = false;

    const emit = (seq: number, outcome: { value: R } | null): void => {
      if (!settings.ordered) {
        if (outcome) subscriber.next(outcome.value);
        return;
      }
      reorder.set(seq, outcome);
      while (reorder.has(nextToEmit)) {
        const next = reorder.get(nextToEmit);
        reorder.delete(nextToEmit++);
        if (next) subscriber.next(next.value);
      }
    };

    const settle = (worker: number, seq: number, outcome: { value: R } | { error: unknown }): void => {
      if (finished || !core.finish(worker, seq)) return;
      if ('value' in outcome) emit(seq, outcome);
      else if (settings.onError === 'skip') emit(seq, null);
      else {
        finished = true;
        const remote = toRemoteError(outcome.error);
        subscriber.error(new TaskError({ processName: `inline-${worker + 1}`, seq, ...remote }));
        return;
      }
      dispatch();
    };

    // A synchronous handler settles inside the loop and asks to dispatch again: the draining/again
    // flags turn that recursion into another pass of the same loop (RxJava's work-in-progress guard).
    let draining = false;
    let again = false;
    const dispatch = (): void => {
      if (draining) {
        again = true;
        return;
      }
      draining = true;
      do {
        again = false;
        for (const { worker, job } of core.assign()) {
          if (finished) break;
          run(worker, job.seq, job.item);
        }
      } while (again && !finished);
      draining = false;
      if (!finished && core.isDone()) {
        finished = true;
        subscriber.complete();
      }
    };

    const run = (worker: number, seq: number, item: T): void => {
      let result: unknown;
      try {
        result = handler(item, ...settings.args);
      } catch (error) {
        return settle(worker, seq, { error });
      }
      if (result instanceof Promise) {
        result.then(
          (value) => settle(worker, seq, { value: value as R }),
          (error) => settle(worker, seq, { error }),
        );
      } else settle(worker, seq, { value: result as R });
    };

    return feedCore(source, core, dispatch, (error) => {
      finished = true;
      subscriber.error(error);
    }, () => (finished = true));
  });
}

// consume({ taskDone: 'manual' }) inline: each virtual consumer loops on its own in-process
// JoinableQueue; a taskDone finishes its oldest item, and what the target yields is emitted.
function inlineLoopConsume<T, R>(
  source: Observable<T>,
  target: (q: JoinableQueue<T>, ...args: unknown[]) => unknown,
  settings: InlineConsumeSettings,
): Observable<R> {
  return createObservable<R>((subscriber) => {
    const core = new DispatchCore<T>(Infinity, settings.prefetch);
    const queues: JoinableQueue<T>[] = [];
    let finished = false;
    const dispatch = (): void => {
      for (const { worker, job } of core.assign()) queues[worker]?.putNowait(job.item);
      if (!finished && core.isDone()) {
        finished = true;
        subscriber.complete();
      }
    };
    for (let id = 0; id < settings.processes; id++) {
      const q = new JoinableQueue<T>(0, { backend: 'local' });
      q[ON_TASK_DONE]((count) => {
        for (let i = 0; i < count; i++) core.finishOldest(id);
        dispatch();
      });
      queues.push(q);
      core.addWorker(id);
      void (async () => {
        const produced = await target(q, ...settings.args);
        if (produced && typeof produced === 'object' && Symbol.asyncIterator in produced) {
          for await (const value of produced as AsyncIterable<R>) {
            if (finished) return;
            subscriber.next(value);
          }
        }
      })().catch((error: unknown) => {
        if (!finished) {
          finished = true;
          subscriber.error(error);
        }
      });
    }
    return feedCore(source, core, dispatch, (error) => {
      finished = true;
      subscriber.error(error);
    }, () => (finished = true));
  });
}

interface InlineConsumeSettings {
  readonly processes: number;
  readonly prefetch: number;
  readonly args: unknown[];
  /** A function: a `{ module, export }` initializer is refused inline when consume() is called. */
  readonly initializer: ((...args: never[]) => unknown) | object | undefined;
  readonly initargs: unknown[];
}

// The initializer runs once per virtual consumer before anything else of theirs: the consumers
// start (and subscribe the source) once every run has returned or its Promise resolved; one that
// throws fails the output.
function afterInitializer<T>(consumers: Observable<T>, settings: InlineConsumeSettings): Observable<T> {
  const initializer = settings.initializer as ((...args: unknown[]) => unknown) | undefined;
  if (!initializer) return consumers;
  return createObservable<T>((subscriber) => {
    let subscription: { unsubscribe(): void } | undefined;
    let closed = false;
    const subscribeSource = (): void => {
      if (!closed) subscription = consumers.subscribe(subscriber);
    };
    let runs: unknown[];
    try {
      runs = Array.from({ length: settings.processes }, () => initializer(...settings.initargs));
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    // Synchronous initializers keep the inline pipeline synchronous.
    if (runs.some((run) => run instanceof Promise)) Promise.all(runs).then(subscribeSource, (error: unknown) => subscriber.error(error));
    else subscribeSource();
    return () => {
      closed = true;
      subscription?.unsubscribe();
    };
  });
}

// Source items into the core, each followed by a dispatch; completion is a dispatch too. Returns the
// teardown: stop (so late settlements are ignored), then unsubscribe the source.
function feedCore<T>(source: Observable<T>, core: DispatchCore<T>, dispatch: () => void, fail: (error: unknown) => void, stop: () => void): () => void {
  const subscription = source.subscribe({
    next: (item) => {
      core.accept(item);
      dispatch();
    },
    error: fail,
    complete: () => {
      core.sourceCompleted();
      dispatch();
    },
  });
  return () => {
    stop();
    subscription.unsubscribe();
  };
}
