// Our pipelines: the Python-style JoinableQueue in child code, and the Rx operators.
import { count, lastValueFrom, map, merge } from 'rxjs';
import { JoinableQueue, Process, consume, mergeProducers, producer, queue, type RedisBackend } from 'rx-multiprocessing';
import { queueConsumer, queueProducer, rxConsumerUp, rxIdentity, rxItemsOnCue } from './pipeline-targets.js';

const CONSUMERS = 2;

export interface PipelineParams {
  readonly producers: number;
  readonly n: number;
  readonly size: 'small' | '1k';
  readonly maxsize: number;
  /** Where the items' queue lives (default: local); the bench's ready/go queues stay local. */
  readonly backend?: RedisBackend;
  /** The producer children's target (default: queueProducer, which awaits every put). */
  readonly producerTarget?: typeof queueProducer;
}

/** items/s from the moment every child is up to q.join() — Python's clock, minus its 1.4 ms fork. */
export async function runQueuePipeline(params: PipelineParams): Promise<number> {
  const q = new JoinableQueue<string>(params.maxsize, params.backend ? { backend: params.backend } : {});
  const ready = new JoinableQueue<boolean>();
  const go = new JoinableQueue<boolean>();
  const consumers = Array.from({ length: CONSUMERS }, () => new Process({ target: queueConsumer, args: [q, ready], daemon: true }));
  const per = Math.ceil(params.n / params.producers);
  const producers = Array.from(
    { length: params.producers },
    (_, p) => new Process({ target: params.producerTarget ?? queueProducer, args: [q, ready, go, params.size, p * per, Math.min(params.n, (p + 1) * per)] }),
  );
  for (const c of consumers) c.start();
  for (const p of producers) p.start();
  for (let up = 0; up < params.producers + CONSUMERS; up++) await ready.get();
  const t0 = process.hrtime.bigint();
  for (const _ of producers) await go.put(true);
  for (const p of producers) await p.join();
  await q.join();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const c of consumers) c.terminate();
  await Promise.all(consumers.map((c) => c.join()));
  q.close();
  return params.n / seconds;
}

/** Both clocks of one Rx pipeline run, in items/s. */
export interface RxPipelineRates {
  /** From the moment every child is up to completion: comparable to Python's clock (see README). */
  readonly steady: number;
  /** From subscribe() to completion: the children's start-up (~55 ms of CPU each here) included. */
  readonly withStartup: number;
}

/**
 * `direct`: mergeProducers() straight into queue() and consume(), so the items go from producer to
 * consumer children through a queue of this process that never decodes them. `general`: RxJS's
 * merge and a map() before queue(), so every item is decoded here and passes the operator chain, as
 * with any operator between the producers and consume().
 */
export type RxPath = 'direct' | 'general';

/**
 * producer() -> queue() -> consume(). The producers report that they are up and wait for a go; the
 * consumers report it from their initializer (and take their first items once they have). Python's
 * consumers, too, are started before its clock.
 */
export async function runRxPipeline(params: PipelineParams, path: RxPath): Promise<RxPipelineRates> {
  const ready = new JoinableQueue<boolean>();
  const go = new JoinableQueue<boolean>();
  const per = Math.ceil(params.n / params.producers);
  const sources = Array.from({ length: params.producers }, (_, p) =>
    producer<string>(rxItemsOnCue, { args: [ready, go, params.size, p * per, Math.min(params.n, (p + 1) * per)] }),
  );
  const t0 = process.hrtime.bigint();
  const merged = path === 'direct' ? mergeProducers(...sources) : merge(...sources).pipe(map((item) => item));
  const done = lastValueFrom(merged.pipe(queue({ maxsize: params.maxsize, ...(params.backend ? { backend: params.backend } : {}) }), consume<string, number>(rxIdentity, { processes: CONSUMERS, initializer: rxConsumerUp, initargs: [ready] }), count()));
  // A pipeline that fails before every child is up must not leave us waiting for them.
  const allUp = (async () => {
    for (let up = 0; up < params.producers + CONSUMERS; up++) await ready.get();
  })();
  await Promise.race([allUp, done]);
  const t1 = process.hrtime.bigint();
  for (let p = 0; p < params.producers; p++) await go.put(true);
  const seen = await done;
  const t2 = process.hrtime.bigint();
  if (seen !== params.n) throw new Error(`expected ${params.n} results, got ${seen}`);
  return { steady: params.n / (Number(t2 - t1) / 1e9), withStartup: params.n / (Number(t2 - t0) / 1e9) };
}
