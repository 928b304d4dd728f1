import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Queue } from '../process/queue.js';
import { connectBackend, producerKey, readPipeline, type IntakeMessage, type PipelineDescription } from '../queue/redis/pipeline-record.js';
import { siblingBackend, type RedisBackend } from '../queue/redis/redis.js';
import type { RedisLink } from '../queue/redis/redis-link.js';
import { StopSignals } from './stop-signals.js';

export interface ProducerOptions {
  readonly backend: RedisBackend;
  readonly module: string;
  /** The export to call: a generator function (sync or async), or one returning an iterable or a value. */
  readonly export: string;
  readonly args: readonly unknown[];
  readonly log: (line: string) => void;
}

/**
 * `rx-multiprocessing producer`: runs `export(...args)` from the module on its command line and puts
 * what it yields into the pipeline running under `name` (started with `remoteProducers`), waiting
 * while the pipeline's queue is full. It says hello before its first item and bye after its last,
 * and keeps a key alive meanwhile: killed, it counts as done once that key expires, with the items it
 * put. Ctrl-C stops it after the item in hand, as a finished producer.
 */
export async function runProducer(options: ProducerOptions): Promise<number> {
  const loaded = (await import(pathToFileURL(resolve(options.module)).href)) as Record<string, unknown>;
  const produce = loaded[options.export];
  if (typeof produce !== 'function') {
    options.log(`${options.module} has no function export '${options.export}': export it, or name another with --export.`);
    return 1;
  }
  const { link, settings, redacted } = await connectBackend(options.backend);
  const signals = new StopSignals();
  try {
    options.log(`waiting for pipeline '${options.backend.name}' on ${redacted}`);
    const run = await waitForRun(link, options.backend.name, settings.authkey, signals);
    if (!run) return 0;
    if (run.remoteProducers === 0) {
      options.log(`pipeline '${options.backend.name}' takes no remote producers: start it with queue({ backend, remoteProducers: n }).`);
      return 1;
    }
    return await produceInto(run, produce as (...args: unknown[]) => unknown, options, link, signals);
  } finally {
    signals.dispose();
    link.close();
  }
}

async function waitForRun(link: RedisLink, name: string, authkey: Buffer | undefined, signals: StopSignals): Promise<PipelineDescription | undefined> {
  while (!signals.stopping) {
    const run = await readPipeline(link, name, authkey);
    if (run) return run;
    await signals.sleep(RUN_CHECK_MS);
  }
  return undefined;
}

async function produceInto(run: PipelineDescription, produce: (...args: unknown[]) => unknown, options: ProducerOptions, link: RedisLink, signals: StopSignals): Promise<number> {
  const id = randomUUID();
  const key = producerKey(options.backend.name, id);
  const beat = (): Promise<unknown> => link.call(['SET', key, '1', 'PX', String(run.deadAfter)]);
  await beat();
  const heartbeat = setInterval(() => void beat().catch(() => {}), Math.max(100, run.deadAfter / 4));
  const intake = new Queue<IntakeMessage>(run.maxsize, { backend: siblingBackend(options.backend, run.intake) });
  let count = 0;
  try {
    await intake.put({ p: id, hello: true });
    const produced = await produce(...options.args);
    const items = produced !== null && typeof produced === 'object' && (Symbol.asyncIterator in produced || Symbol.iterator in produced) ? (produced as AsyncIterable<unknown> | Iterable<unknown>) : [produced];
    for await (const item of items) {
      if (signals.stopping) break;
      await intake.put({ p: id, item });
      count++;
    }
    await intake.put({ p: id, bye: true });
    options.log(`put ${count} item(s) into pipeline '${options.backend.name}'${signals.stopping ? ' (stopped early)' : ''}`);
    return 0;
  } finally {
    clearInterval(heartbeat);
    await intake[Symbol.asyncDispose]();
    await link.call(['UNLINK', key]).catch(() => {});
  }
}

const RUN_CHECK_MS = 500;
