import type { Observable } from 'rxjs';
import type { ConsumerResult } from '../child/consumer-runner.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { CAPTURE_STDERR, DISPOSE_QUEUE, FIX_PREFETCH, HANDLE, ON_OUTCOMES, SOLE_PRODUCER, UNFINISHED } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Process, type ProcessOptions } from '../process/process.js';
import { Queue } from '../process/queue.js';
import { IpcConsumerLink } from './consumer-link.js';
import { consumerName, finishConsumers, type ConsumeSettings } from './consume-settings.js';
import type { ProducerSpec } from './direct-source.js';
import { DRAIN_AFTER_EXIT_MS, exitError } from './producer.js';
import { createObservable } from './rx.js';

/**
 * consume() of a source that is only producer() children (see mergeProducers), with the seed's data
 * path: the producers put into one JoinableQueue of this process and the consumers take from it. The
 * queue forwards the producers' batches to the consumers as they came, never decoded here, where the
 * general path decodes every item, passes it along the operator chain and encodes it again. This
 * process counts: a put adds an unfinished item, an outcome a consumer reports emits its value and
 * marks its item done. The output completes once every producer has put its end and the count is
 * back to zero, which is q.join().
 */
export function directConsume<R>(producers: readonly ProducerSpec[], handler: ModuleExportRef, settings: ConsumeSettings, maxsize: number): Observable<R> {
  return createObservable<R>((subscriber) => {
    const jobs = new JoinableQueue<unknown>(maxsize);
    // Adaptive windows are the queue proxies' own, as in the seed's pipeline: up to MAX_PREFETCH, so
    // that a consumer asks for whole producer batches, which the queue then forwards as they came
    // (capped at maxsize / processes, requests smaller than a batch had it decoded and split here).
    if (!settings.adaptive) jobs[FIX_PREFETCH](settings.prefetch);
    if (producers.length === 1) jobs[SOLE_PRODUCER]();
    // Consumers report outcomes in the message that tells the queue they took the items.
    jobs[ON_OUTCOMES]((outcomes) => {
      for (const outcome of outcomes) handleResult(outcome as ConsumerResult);
    });
    // Each producer puts its index here after its last item, over the connection its items took.
    const ends = new Queue<number>();
    const consumers = new Map<number, { process: Process; link: IpcConsumerLink }>();
    const producerProcesses: Process[] = [];
    const timers: NodeJS.Timeout[] = [];
    const ended = new Set<number>();
    let finished = false;

    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      subscriber.error(error);
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
    };

    for (let id = 0; id < settings.processes; id++) {
      const process = new Process({ target: DIRECT_CONSUMER_TARGET, args: [jobs, handler, settings.args, id], daemon: settings.daemon, ...consumerName(settings, id) });
      process.start();
      // Its outcomes come through the queue; the link watches its exit and tells it to end.
      const link = new IpcConsumerLink(process[HANDLE], handleResult, fail);
      consumers.set(id, { process, link });
      void Promise.all([process.join(), link.drained]).then(() => {
        if (finished) return;
        consumers.delete(id);
        // Its connection to the queue is closed too: the queue took back what it had not
        // acknowledged, at the head, for the others.
        if (consumers.size === 0) {
          fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: jobs[UNFINISHED](), reason: 'no consumer is left to take them.' }));
        }
      });
    }

    producers.forEach((spec, index) => {
      const child = new Process({
        target: DIRECT_PRODUCER_TARGET,
        args: [jobs, ends, index, spec.ref, spec.args, spec.passQueue],
        name: spec.name,
        [CAPTURE_STDERR]: true,
      } as ProcessOptions);
      child.start();
      producerProcesses.push(child);
      void child.join().then(async () => {
        if (child.exitCode !== 0) return fail(await exitError(child));
        // Its end left before it exited, but the two may be seen in either order.
        const timer = setTimeout(() => {
          if (!ended.has(index)) fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail: 'exited with 0 before its output was complete' }));
        }, DRAIN_AFTER_EXIT_MS);
        timers.push(timer.unref());
      });
    });

    void (async () => {
      while (!finished && ended.size < producers.length) ended.add(ends.qsize() > 0 ? ends.getNowait() : await ends.get());
      // Every item was put before its producer's end arrived: the unfinished count holds them all.
      if (!finished) await jobs.join();
      if (finished) return;
      finished = true;
      finishConsumers(consumers.values(), settings.daemon, subscriber);
    })().catch(fail);

    return () => {
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
  });
}

const DIRECT_PRODUCER_TARGET = bootstrapExport('runDirectProducer');
const DIRECT_CONSUMER_TARGET = bootstrapExport('runDirectConsumer');
