import { isProtocolMessage } from '../internal/protocol.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import { HANDLE } from '../internal/symbols.js';
import type { NumberedItem } from '../child/consumer-input.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Process } from '../process/process.js';
import { queueKeys } from '../queue/redis/keys.js';
import { connectBackend, pipelineItemsBackend, readPipeline, type PipelineDescription } from '../queue/redis/pipeline-record.js';
import type { RedisBackend } from '../queue/redis/redis.js';
import type { RedisLink } from '../queue/redis/redis-link.js';
import { ProgressLine } from './progress-line.js';
import { importHandlers, type HandlerModule } from './handler-module.js';
import { StopSignals } from './stop-signals.js';

export interface WorkerOptions {
  readonly backend: RedisBackend;
  /** The module the handlers are taken from: the only code this worker imports. */
  readonly module: string;
  readonly processes: number;
  /** Serve one run of the pipeline, then exit (default: wait for the next run of the name). */
  readonly once: boolean;
  /** Where progress goes; shown only if it is a TTY. */
  readonly progress: NodeJS.WriteStream;
  readonly log: (line: string) => void;
}

/**
 * `rx-multiprocessing worker`: runs consumer processes on this machine for the pipeline that runs
 * under `name` on the Redis server, from whichever machine started it. The pipeline names the export
 * to run; it is looked up in the module given here, and nowhere else. Between runs it waits for the
 * next. SIGINT/SIGTERM end it gracefully: its consumers stop, and what they held goes back to the
 * stream at once; a second signal ends it at once.
 */
export async function runWorker(options: WorkerOptions): Promise<number> {
  const handlers = await importHandlers(options.module);
  const { link, settings, redacted } = await connectBackend(options.backend);
  const signals = new StopSignals();
  try {
    let lastRun: string | undefined;
    for (;;) {
      options.log(`waiting for pipeline '${options.backend.name}' on ${redacted}`);
      const run = await nextRun(link, options.backend.name, settings.authkey, lastRun, signals);
      if (!run) return 0;
      lastRun = run.run;
      const failure = await serveRun(run, handlers, options, link, settings.authkey, signals);
      if (failure !== undefined) return failure;
      if (options.once || signals.stopping) return 0;
    }
  } finally {
    signals.dispose();
    link.close();
  }
}

// The pipeline's next run (another than `lastRun`), or undefined once asked to stop. Checked every
// RUN_CHECK_MS: a GET of one small key, not a loop that burns Redis.
async function nextRun(link: RedisLink, name: string, authkey: Buffer | undefined, lastRun: string | undefined, signals: StopSignals): Promise<PipelineDescription | undefined> {
  while (!signals.stopping) {
    const run = await readPipeline(link, name, authkey);
    if (run && run.run !== lastRun) return run;
    await signals.sleep(RUN_CHECK_MS);
  }
  return undefined;
}

// Serves one run until it ends or a signal comes; returns an exit status if the worker must stop
// with a failure (the module lacks the export the pipeline runs).
async function serveRun(
  run: PipelineDescription,
  handlers: HandlerModule,
  options: WorkerOptions,
  link: RedisLink,
  authkey: Buffer | undefined,
  signals: StopSignals,
): Promise<number | undefined> {
  const handler = handlers.ref(run.handler);
  const initializer = run.initializer === null ? null : handlers.ref(run.initializer);
  if (!handler || (run.initializer !== null && !initializer)) {
    const missing = handler ? run.initializer : run.handler;
    options.log(`pipeline '${options.backend.name}' runs the export '${missing}', which ${options.module} does not have: export it from that module, or start this worker with the module that does.`);
    return 1;
  }
  options.log(`serving pipeline '${options.backend.name}' (run ${run.run.slice(0, 8)}): ${run.handler} in ${options.processes} process(es)`);
  const items = new JoinableQueue<NumberedItem>(run.maxsize, { backend: pipelineItemsBackend(options.backend, run.items) });
  const init = initializer ? { ref: initializer, args: run.initargs } : null;
  const progress = new ProgressLine(options.progress);
  const children = new Set<Process>();
  let restarts = 0;
  let ended = false;
  const start = (id: number): void => {
    const child = new Process({ target: CONSUMER_TARGET, args: [items, handler, run.args, id, init, progress.shown], name: `worker-${id + 1}` });
    child.start();
    children.add(child);
    child[HANDLE].on('message', (message: unknown) => {
      if (isProtocolMessage(message) && message.rxmp === 'consume-progress') progress.add(message.done, message.redelivered);
    });
    void child.join().then(() => {
      children.delete(child);
      if (ended || signals.stopping) return;
      // A consumer that died (its items went back to the stream as it exited) is replaced, within reason.
      if (restarts++ < MAX_RESTARTS_PER_PROCESS * options.processes) start(id);
      else options.log(`consumer ${child.name} exited (${child.exitCode}); no more restarts`);
    });
  };
  for (let id = 0; id < options.processes; id++) start(id);
  // The run ends when its pipeline removes its key (completion, or its process unsubscribed), or
  // when the key expires (its process was killed); or here, by a signal.
  while (!signals.stopping && (await readPipeline(link, options.backend.name, authkey).catch(() => undefined))?.run === run.run) {
    await signals.sleep(RUN_CHECK_MS);
  }
  ended = true;
  for (const child of children) child.terminate();
  await Promise.all([...children].map((child) => child.join()));
  items.close();
  progress.finish();
  // Consumers that read after the pipeline removed its keys may have made the stream again.
  if (!signals.stopping) await link.call(['UNLINK', ...queueKeys(run.items).all]).catch(() => {});
  options.log(signals.stopping ? 'stopped: unfinished items went back to the stream' : `pipeline '${options.backend.name}' run ${run.run.slice(0, 8)} ended`);
  return undefined;
}

const CONSUMER_TARGET = bootstrapExport('runRedisConsumer');
const RUN_CHECK_MS = 500;
const MAX_RESTARTS_PER_PROCESS = 4;
