import type { Observable } from 'rxjs';
import type { ConsumerResult } from '../child/consumer-input.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { CAP_PREFETCH, CAPTURE_STDERR, DISPOSE_QUEUE, FIX_PREFETCH, HANDLE, ON_OUTCOMES, SOLE_PRODUCER, UNFINISHED } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Process, type ProcessOptions } from '../process/process.js';
import { Queue } from '../process/queue.js';
import { IpcConsumerLink } from './consumer-link.js';
import { adaptiveWindowCap, consumerName, type ConsumeSettings } from './consume-settings.js';
import type { ProducerSpec } from './direct-source.js';
import { finishConsumers, terminatePipeline } from './finish-consumers.js';
import { watchProducerExit } from './producer-exit.js';
import { createObservable } from './rx.js';

/**
 * consume() of a source that is only producer() children (see mergeProducers), when it cannot go
 * broker-free (see canGoBrokerFree), with the seed's data path: the producers put into one
 * JoinableQueue of this process and the consumers take from it. The queue forwards the producers'
 * batches to the consumers as they came, never decoded here, where the general path decodes every
 * item, passes it along the operator chain and encodes it again. This
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

    const countExit = (): void => {
      exitedProducers++;
      maybeComplete();
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
      watchProducerExit(child, { finished: () => finished, ended: () => ended.has(index), exited: countExit, fail, timers });
    };

    const teardown = (): void => {
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      const links = [...consumers.values()].map(({ link }) => link);
      terminatePipeline([...producerProcesses, ...[...consumers.values()].map(({ process }) => process)], () => {
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

const DIRECT_PRODUCER_TARGET = bootstrapExport('runDirectProducer');
const DIRECT_CONSUMER_TARGET = bootstrapExport('runDirectConsumer');
