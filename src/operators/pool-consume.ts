import type { Observable, Subscription } from 'rxjs';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { TaskError } from '../errors/task-error.js';
import { describeItem } from '../internal/describe-item.js';
import { SUBMIT_SETTLED } from '../internal/symbols.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import type { Pool } from '../pool/pool.js';
import type { TaskOutcome } from '../pool/task-list.js';
import { assertItem } from '../process/queue.js';
import type { ConsumeSettings } from './consume-settings.js';
import type { Job } from './dispatch-core.js';
import { currentGate, DemandGate, withGate } from './gate.js';
import { OutputOrder, SKIPPED } from './output-order.js';
import { RestartBudget } from './restart-budget.js';
import { createObservable } from './rx.js';

/**
 * consume(handler, { pool }): the items go to a Pool's warm workers, in chunks, so a pipeline starts
 * no process and its consumers outlive it. What a pipeline promises stays: at most `maxsize` items
 * buffered or in the workers (upstream producers pause meanwhile), the output completes once the
 * source has and every item is done, outcomes come once each (in order with `ordered`), and the items
 * of a worker that dies go to the others, one per task, so that an item that kills its worker is
 * found and named. Unsubscribing stops the source; tasks already in the pool finish there, unheard.
 */
export function poolConsume<T, R>(source: Observable<T>, pool: Pool, ref: ModuleExportRef, settings: ConsumeSettings, maxsize: number, overflow: 'buffer' | 'error'): Observable<R> {
  return createObservable<R>((subscriber) => {
    const waiting: Job<T>[] = [];
    let head = 0;
    // Items a dead worker held: sent alone, so that the next death names its item.
    const suspects: Job<T>[] = [];
    let nextSeq = 0;
    let tasks = 0;
    let itemsOut = 0;
    let sourceDone = false;
    let finished = false;
    let awaitingDownstream = false;
    const gate = new DemandGate(maxsize);
    const downstream = currentGate();
    // Feeding a later queue, we stop handing out items while it is full; what is in the workers then
    // still lands there: at most the tasks in flight, which our own bound also caps.
    const mayLandAfterShut = Math.min(maxsize, pool.processes * 2 * MAX_CHUNK);
    if (downstream) downstream.attached += mayLandAfterShut;
    const budget = new RestartBudget(settings.maxRestarts, pool.processes);
    const order = new OutputOrder<R>(settings.ordered, (value) => subscriber.next(value));
    // Enough tasks to keep every worker busy while the answers of the others travel back.
    const maxTasks = pool.processes * 2;
    let subscription: Subscription | undefined;
    let scheduled = false;

    const buffered = (): number => waiting.length - head + suspects.length;

    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      subscriber.error(error);
    };

    const take = (count: number): Job<T>[] => {
      const jobs = waiting.slice(head, head + count);
      head += jobs.length;
      if (head === waiting.length) {
        waiting.length = 0;
        head = 0;
      }
      return jobs;
    };

    const dispatch = (): void => {
      if (finished) return;
      if (downstream && !downstream.isOpen()) {
        if (!awaitingDownstream) {
          awaitingDownstream = true;
          void downstream.whenOpen().then(() => {
            awaitingDownstream = false;
            dispatch();
          });
        }
      } else {
        while (tasks < maxTasks && buffered() > 0) {
          const suspect = suspects.shift();
          // Chunks share what waits among the workers: large while items pile up, single while they trickle.
          send(suspect ? [suspect] : take(Math.min(MAX_CHUNK, Math.ceil((waiting.length - head) / pool.processes))));
        }
      }
      if (buffered() + itemsOut < maxsize) gate.open();
      else gate.shut();
      if (sourceDone && buffered() === 0 && tasks === 0 && !finished) {
        finished = true;
        subscriber.complete();
      }
    };

    const send = (jobs: Job<T>[]): void => {
      tasks++;
      itemsOut += jobs.length;
      const calls = jobs.map((job) => [job.item, ...settings.args]);
      let submitted: Promise<TaskOutcome>;
      try {
        submitted = pool[SUBMIT_SETTLED](ref, calls);
      } catch (error) {
        return fail(error);
      }
      submitted.then(
        (outcome) => {
          tasks--;
          itemsOut -= jobs.length;
          if (!finished) handleOutcome(jobs, outcome);
          dispatch();
        },
        (error: unknown) => {
          tasks--;
          itemsOut -= jobs.length;
          if (!finished) handleLoss(jobs, error);
          dispatch();
        },
      );
    };

    const handleOutcome = (jobs: Job<T>[], { done, worker }: TaskOutcome): void => {
      const errors = new Map(done.errors);
      for (let i = 0; i < jobs.length && !finished; i++) {
        const { seq } = jobs[i] as Job<T>;
        const error = errors.get(i);
        if (!error) order.emit(seq, done.values[i] as R);
        else if (settings.onError === 'skip') order.emit(seq, SKIPPED);
        else fail(new TaskError({ processName: worker, seq, ...error }));
      }
    };

    // The worker holding `jobs` died (the pool replaces it), or the pool itself stopped.
    const handleLoss = (jobs: Job<T>[], error: unknown): void => {
      if (!(error instanceof ProcessExitError)) return fail(error);
      const lost = { processName: error.processName, pid: error.pid, exitCode: error.exitCode, lostItems: jobs.length + buffered() };
      if (settings.onConsumerExit === 'error') return fail(new ConsumerExitedError({ ...lost, reason: "onConsumerExit is 'error'." }));
      const only = jobs.length === 1 ? (jobs[0] as Job<T>) : undefined;
      const verdict = budget.onConsumerDied(only ? { key: only.seq, describe: () => describeItem(only.seq, only.item) } : undefined);
      if (verdict) return fail(new ConsumerExitedError({ ...lost, ...verdict }));
      suspects.push(...jobs);
    };

    subscription = withGate(gate, () =>
      source.subscribe({
        next: (item) => {
          if (typeof item === 'object' || typeof item === 'function' || typeof item === 'symbol') {
            try {
              assertItem(item);
            } catch (error) {
              return fail(error);
            }
          }
          waiting.push({ seq: nextSeq++, item });
          // Shut at once: the rest of a producer's batch still lands (DemandGate.attached), no more.
          if (buffered() + itemsOut >= maxsize) gate.shut();
          if (overflow === 'error' && buffered() > maxsize + gate.attached) {
            return fail(new QueueFullError(maxsize, `The queue is full (maxsize ${maxsize}) and its source does not slow down. Drop \`overflow: 'error'\` to buffer what it sends ahead.`));
          }
          if (!scheduled) {
            scheduled = true;
            // A producer's batch arrives in one synchronous run: it leaves as chunks once the run ends.
            queueMicrotask(() => {
              scheduled = false;
              dispatch();
            });
          }
        },
        error: fail,
        complete: () => {
          sourceDone = true;
          dispatch();
        },
      }),
    );

    return () => {
      finished = true;
      if (downstream) downstream.attached -= mayLandAfterShut;
      subscription?.unsubscribe();
    };
  });
}

// Items per task at most: a chunk of small items costs its worker well under a millisecond, and the
// pipeline's bound is shared among the tasks in flight anyway.
const MAX_CHUNK = 256;
