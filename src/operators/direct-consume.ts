import type { Observable } from 'rxjs';
import type { ConsumerInit, ConsumerResult } from '../child/consumer-input.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { CAP_PREFETCH, DISPOSE_QUEUE, FIX_PREFETCH, ON_OUTCOMES, SOLE_PRODUCER, UNFINISHED } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Queue } from '../process/queue.js';
import { adaptiveWindowCap, type ConsumeSettings } from './consume-settings.js';
import type { ProducerSpec } from './direct-source.js';
import { DirectPipeline } from './direct-pipeline.js';
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
export function directConsume<R>(producers: readonly ProducerSpec[], handler: ModuleExportRef, init: ConsumerInit | null, settings: ConsumeSettings, maxsize: number): Observable<R> {
  return createObservable<R>((subscriber) => {
    // Consumers acknowledge items once handled (with their outcomes), and this process marks them
    // done: there is nothing between the two to redeliver.
    const jobs = new JoinableQueue<unknown>(maxsize, { redeliver: false, backend: 'local' });
    if (settings.adaptive) jobs[CAP_PREFETCH](adaptiveWindowCap(settings, maxsize, producers.length));
    else jobs[FIX_PREFETCH](settings.prefetch);
    if (producers.length === 1) jobs[SOLE_PRODUCER]();
    // Each producer puts its index here after its last item, over the connection its items took.
    const ends = new Queue<number>(0, { backend: 'local' });
    const ended = new Set<number>();

    const handleResult = (result: ConsumerResult): void => {
      if (pipeline.finished || 'yielded' in result) return;
      for (const value of result.values) subscriber.next(value as R);
      const { error } = result;
      if (error && settings.onError === 'fail') return pipeline.fail(new TaskError({ processName: pipeline.consumerName(result.worker), seq: -1, ...error }));
      for (let i = result.values.length + (error ? 1 : 0); i > 0; i--) jobs.taskDone();
      pipeline.maybeComplete();
    };
    // A consumer that exits flushes its queue connection first (the parent reads every outcome on it
    // before the child is gone); one that was killed gave the queue back what it had not
    // acknowledged, at the head, for the others.
    const pipeline = new DirectPipeline(subscriber, settings, producers.length, {
      onResult: handleResult,
      ended: (index) => ended.has(index),
      allDone: () => jobs[UNFINISHED]() === 0,
      lostItems: () => jobs[UNFINISHED](),
      dispose: () => {
        jobs[DISPOSE_QUEUE]();
        ends[DISPOSE_QUEUE]();
      },
    });
    // Consumers report outcomes in the message that tells the queue they took the items.
    jobs[ON_OUTCOMES]((outcomes) => {
      for (const outcome of outcomes) handleResult(outcome as ConsumerResult);
    });

    const teardown = pipeline.start(
      DIRECT_CONSUMER_TARGET,
      (id) => [jobs, handler, settings.args, id, init],
      DIRECT_PRODUCER_TARGET,
      (spec, index) => [jobs, ends, index, spec.ref, spec.args, spec.passQueue],
      producers,
    );
    if (!teardown) return undefined;
    void (async () => {
      while (!pipeline.finished && ended.size < producers.length) {
        ended.add(ends.qsize() > 0 ? ends.getNowait() : await ends.get());
        pipeline.maybeComplete();
      }
    })().catch(pipeline.fail);
    return teardown;
  });
}

const DIRECT_PRODUCER_TARGET = bootstrapExport('runDirectProducer');
const DIRECT_CONSUMER_TARGET = bootstrapExport('runDirectConsumer');
