// Our pipelines: the Python-style JoinableQueue in child code, and the Rx operators.
import { lastValueFrom, merge, count } from 'rxjs';
import { JoinableQueue, Process, consume, producer, queue } from 'rx-multiprocessing';
import { queueConsumer, queueProducer, rxIdentity, rxItems } from './pipeline-targets.js';

export interface PipelineParams {
  readonly producers: number;
  readonly n: number;
  readonly size: 'small' | '1k';
  readonly maxsize: number;
}

/** items/s from the moment every child is up to q.join() — Python's clock, minus its 1.4 ms fork. */
export async function runQueuePipeline(params: PipelineParams): Promise<number> {
  const q = new JoinableQueue<string>(params.maxsize);
  const ready = new JoinableQueue<boolean>();
  const go = new JoinableQueue<boolean>();
  const consumers = [0, 1].map(() => new Process({ target: queueConsumer, args: [q, ready], daemon: true }));
  const per = Math.ceil(params.n / params.producers);
  const producers = Array.from(
    { length: params.producers },
    (_, p) => new Process({ target: queueProducer, args: [q, go, params.size, p * per, Math.min(params.n, (p + 1) * per)] }),
  );
  for (const c of consumers) c.start();
  for (const p of producers) p.start();
  await ready.get();
  await ready.get();
  const t0 = process.hrtime.bigint();
  for (const _ of producers) await go.put(true);
  for (const p of producers) await p.join();
  await q.join();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const c of consumers) c.terminate();
  await Promise.all(consumers.map((c) => c.join()));
  return params.n / seconds;
}

/** items/s through producer() -> queue() -> consume(), end to end, the forks included. */
export async function runRxPipeline(params: PipelineParams): Promise<number> {
  const per = Math.ceil(params.n / params.producers);
  const sources = Array.from({ length: params.producers }, (_, p) => producer<string>(rxItems, { args: [params.size, p * per, Math.min(params.n, (p + 1) * per)] }));
  const t0 = process.hrtime.bigint();
  const seen = await lastValueFrom(merge(...sources).pipe(queue({ maxsize: params.maxsize }), consume<string, number>(rxIdentity, { processes: 2, prefetch: 256 }), count()));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (seen !== params.n) throw new Error(`expected ${params.n} results, got ${seen}`);
  return params.n / seconds;
}
