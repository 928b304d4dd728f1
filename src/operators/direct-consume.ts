import type { Observable } from 'rxjs';
import type { ConsumerResult } from '../child/consumer-input.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { MAX_PREFETCH } from '../internal/prefetch-window.js';
import { putWindow } from '../internal/queue-proxy.js';
import { CAP_PREFETCH, CAPTURE_STDERR, DISPOSE_QUEUE, FIX_PREFETCH, HANDLE, ON_OUTCOMES, SOLE_PRODUCER, UNFINISHED } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Process, type ProcessOptions } from '../process/process.js';
import { Queue } from '../process/queue.js';
import { IpcConsumerLink } from './consumer-link.js';
import { consumerName, maxConsumerWindow, type ConsumeSettings } from './consume-settings.js';
import type { ProducerSpec } from './direct-source.js';
import { finishConsumers } from './finish-consumers.js';
import { DRAIN_AFTER_EXIT_MS, exitError } from './producer-exit.js';
import { createObservable } from './rx.js';

/**
 * consume() of a source that is only producer() children (see mergeProducers), with the seed's data
 * path: the producers put into one JoinableQueue of this process and the consumers take from it. The
 * queue forwards the producers' batches to the consumers as they came, never decoded here, where the
 * general path decodes every item, passes it along the operator chain and encodes it again. This
 * process counts: a put adds an unfinished item, an outcome a consumer reports emits its value and
 * marks its item done. The output completes once every producer has put its end marker and exited
 * with 0, and the count is back to zero: q.join().
 */
export function directConsume<R>(producers: readonly ProducerSpec[], handler: ModuleExportRef, settings: ConsumeSettings, maxsize: number): Observable<R> {
  return createObservable<R>((subscriber) => {
    const jobs = new JoinableQueue<unknown>(maxsize);
    if (settings.adaptive) jobs[CAP_PREFETCH](adaptiveWindowCap(settings, maxsize, producers.length));
    else jobs[FIX_PREFETCH](settings.prefetch);
    if (producers.length === 1) jobs[SOLE_PRODUCER]();
    // Each producer puts its index here after its last item, over the connection its items took.
    const ends = new Queue<number>();
    const consumers = new Map<number, { process: Process; link: IpcConsumerLink }>();
    const producerProcesses: Process[] = [];
    const timers: NodeJS.Timeout[] = [];
    const ended = new Set<number>();
    let exitedProducers = 0;
    let finished = false;

    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      subscriber.error(error);
    };

    const maybeComplete = (): void => {
      if (finished || exitedProducers < producers.length || ended.size < producers.length || jobs[UNFINISHED]() > 0) return;
      finished = true;
      finishConsumers(consumers.values(), settings.daemon, subscriber);
    };

    const handleResult = (result: ConsumerResult): void => {
      if (finished || 'yielded' in result) return;
      for (const value of result.values) subscriber.next(value as R);
      const { error } = result;
      if (error && settings.onError === 'fail') {
        const processName = consumers.get(result.worker)?.process.name ?? `consumer ${result.worker}`;
        return fail(new TaskError({ processName, seq: -1, ...error }));
      }
      for (let i = result.values.length + (error ? 1 : 0); i > 0; i--) jobs.taskDone();
      maybeComplete();
    };
    // Consumers report outcomes in the message that tells the queue they took the items.
    jobs[ON_OUTCOMES]((outcomes) => {
      for (const outcome of outcomes) handleResult(outcome as ConsumerResult);
    });

    const startConsumer = (id: number): void => {
      const process = new Process({ target: DIRECT_CONSUMER_TARGET, args: [jobs, handler, settings.args, id], daemon: settings.daemon, ...consumerName(settings, id) });
      process.start();
      // Its outcomes come through the queue; the link tells it to end, and sees its channel close.
      const link = new IpcConsumerLink(process[HANDLE], handleResult, fail);
      consumers.set(id, { process, link });
      // A consumer that exits flushes its queue connection first (the parent reads every outcome on
      // it before the child is gone); one that was killed gave the queue back what it had not
      // acknowledged, at the head, for the others.
      void Promise.all([process.join(), link.drained]).then(() => {
        if (finished) return;
        consumers.delete(id);
        if (consumers.size === 0) {
          fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: jobs[UNFINISHED](), reason: 'no consumer is left to take them.' }));
        }
      });
    };

    const startProducer = (spec: ProducerSpec, index: number): void => {
      const child = new Process({
        target: DIRECT_PRODUCER_TARGET,
        args: [jobs, ends, index, spec.ref, spec.args, spec.passQueue],
        name: spec.name,
        [CAPTURE_STDERR]: true,
      } as ProcessOptions);
      child.start();
      producerProcesses.push(child);
      // As on the general path, a producer is done when it exited with 0 after its last item.
      void child.join().then(async () => {
        if (child.exitCode !== 0) return fail(await exitError(child));
        exitedProducers++;
        maybeComplete();
        if (finished || ended.has(index)) return;
        // Its end marker left before it exited, but the two may be seen in either order.
        const timer = setTimeout(() => {
          if (!ended.has(index)) fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail: 'exited with 0 before its output was complete' }));
        }, DRAIN_AFTER_EXIT_MS);
        timers.push(timer.unref());
      });
    };

    const teardown = (): void => {
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      const processes = [...producerProcesses, ...[...consumers.values()].map(({ process }) => process)];
      for (const process of processes) if (process.exitCode === null) process.terminate();
      const links = [...consumers.values()].map(({ link }) => link);
      void Promise.all(processes.map((process) => process.join())).then(() => {
        jobs[DISPOSE_QUEUE]();
        ends[DISPOSE_QUEUE]();
        for (const link of links) link.dispose();
      });
    };

    try {
      for (let id = 0; id < settings.processes; id++) startConsumer(id);
      producers.forEach(startProducer);
    } catch (error) {
      // A producer's arguments that cannot be sent, say: what started must not outlive the error.
      teardown();
      subscriber.error(error);
      return;
    }

    // With no producer at all, nothing else would ever check.
    maybeComplete();
    void (async () => {
      while (!finished && ended.size < producers.length) {
        ended.add(ends.qsize() > 0 ? ends.getNowait() : await ends.get());
        maybeComplete();
      }
    })().catch(fail);

    return teardown;
  });
}

/**
 * The largest window a consumer's queue proxy adapts to: the general path's (maxsize shared among the
 * consumers), but never below two of a producer's batches, which the queue then forwards whole;
 * a request for less than a batch has the queue decode the batch to split it.
 */
function adaptiveWindowCap(settings: ConsumeSettings, maxsize: number, producers: number): number {
  return Math.min(MAX_PREFETCH, Math.max(maxConsumerWindow(settings, maxsize), 2 * putWindow(maxsize, producers === 1)));
}

const DIRECT_PRODUCER_TARGET = bootstrapExport('runDirectProducer');
const DIRECT_CONSUMER_TARGET = bootstrapExport('runDirectConsumer');
