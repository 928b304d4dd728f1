import { randomUUID } from 'node:crypto';
import type { Observable, Subscription } from 'rxjs';
import type { ConsumerInit, NumberedItem, PipelineOutcome } from '../child/consumer-input.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { HANDLE, TRY_GET } from '../internal/symbols.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Process } from '../process/process.js';
import { assertItem, Queue } from '../process/queue.js';
import { EMPTY } from '../queue/local/queue-core.js';
import { PoisonItemError } from '../queue/redis/errors/poison-item-error.js';
import { queueKeys } from '../queue/redis/keys.js';
import { PipelineRecord, type PipelineDescription } from '../queue/redis/pipeline-record.js';
import { siblingBackend, type RedisBackend } from '../queue/redis/redis.js';
import { channelEnd } from './channel-end.js';
import { consumerOptions, type ConsumeSettings } from './consume-settings.js';
import { finishConsumers, type FinishingConsumer } from './finish-consumers.js';
import { currentGate, DemandGate, withGate } from './gate.js';
import { OutputOrder, SKIPPED } from './output-order.js';
import { reportedError } from './reported-error.js';
import { RestartBudget } from './restart-budget.js';
import { createObservable } from './rx.js';

/**
 * consume() on a Redis queue: the pipeline's items go, numbered, into a JoinableQueue in Redis, read
 * by consumer children started here and by workers on other machines (`rx-multiprocessing worker`),
 * which put each outcome, with its item's number, into a second queue that this process reads. The
 * pipeline holds its name in Redis while it runs (PipelineRecord), so workers know what to run.
 *
 * Items are processed at least once (a dead consumer's go to another, from its parent at once or
 * from the heartbeat reaper); the first outcome of each number is emitted and later ones dropped,
 * so exactly one outcome per item reaches the subscriber. maxsize bounds what Redis holds; the
 * source is paused (producer children through the gate) while this process's puts wait for room.
 * The output completes when every item has its outcome: the queue's join.
 */
export function redisConsume<T, R>(
  source: Observable<T>,
  backend: RedisBackend,
  ref: ModuleExportRef,
  init: ConsumerInit | null,
  settings: ConsumeSettings,
  maxsize: number,
  overflow: 'error' | 'buffer',
): Observable<R> {
  return createObservable<R>((subscriber) => {
    let finished = false;
    let record: PipelineRecord | undefined;
    let items: JoinableQueue<NumberedItem> | undefined;
    let outcomes: Queue<PipelineOutcome> | undefined;
    let sourceSubscription: Subscription | undefined;
    const workers = new Map<number, FinishingConsumer>();
    const order = new OutputOrder<R>(settings.ordered, (value) => subscriber.next(value));
    // Numbers of the items put whose outcome has not come yet; puts not yet confirmed by Redis.
    const waiting = new Set<number>();
    let unconfirmed = 0;
    let nextSeq = 0;
    let sourceDone = false;
    const gate = new DemandGate(maxsize);
    const downstream = currentGate();
    const budget = new RestartBudget(settings.maxRestarts, settings.processes);
    // A later stage's queue may shut while we emit one consumer's report: its values land after.
    if (downstream) downstream.attached += MAX_VALUES_PER_REPORT;

    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      subscriber.error(error);
    };

    const maybeComplete = (): void => {
      if (finished || !sourceDone || unconfirmed > 0 || waiting.size > 0) return;
      finished = true;
      finishConsumers(workers.values(), settings.daemon, subscriber);
    };

    const deliver = (seq: number, value: R | typeof SKIPPED): boolean => {
      // Not waiting: another consumer's outcome for the same item came first (a redelivery).
      if (!waiting.delete(seq)) return false;
      order.emit(seq, value);
      return true;
    };

    const onOutcome = (outcome: PipelineOutcome): void => {
      if ('poison' in outcome) {
        const [seq = -1] = outcome.seqs;
        if (!waiting.has(seq)) return;
        if (settings.onError === 'skip') deliver(seq, SKIPPED);
        else return fail(new PoisonItemError(backend.name, outcome.poison.itemId, outcome.poison.deliveries, queueKeys(backend.name).dead));
        return;
      }
      const { values, error } = outcome.result as { values: readonly R[]; error?: Parameters<typeof remoteFailure>[2] };
      for (let i = 0; i < outcome.seqs.length && !finished; i++) {
        const seq = outcome.seqs[i] as number;
        if (i < values.length) deliver(seq, values[i] as R);
        else if (error && waiting.has(seq)) {
          if (settings.onError === 'skip') deliver(seq, SKIPPED);
          else fail(remoteFailure(outcome.by, seq, error));
        }
      }
    };

    const readOutcomes = async (queue: Queue<PipelineOutcome>): Promise<void> => {
      while (!finished) {
        // Feeding a later stage's queue that is full: its outcomes wait in Redis meanwhile.
        if (downstream && !downstream.isOpen()) await downstream.whenOpen();
        const first = await queue.get();
        if (finished) return;
        onOutcome(first);
        // What the same read brought is handled in this turn.
        for (let next = queue[TRY_GET](); next !== EMPTY && !finished; next = queue[TRY_GET]()) {
          onOutcome(next);
          if (downstream && !downstream.isOpen()) break;
        }
        maybeComplete();
      }
    };

    let nextWorkerId = settings.processes;
    const startWorker = (id: number, queues: readonly [JoinableQueue<NumberedItem>, Queue<PipelineOutcome>]): void => {
      const process = new Process({ target: CONSUMER_TARGET, args: [...queues, ref, settings.args, id, init], daemon: settings.daemon, ...consumerOptions(settings, id) });
      process.start();
      const handle = process[HANDLE];
      const drained = channelEnd(handle);
      workers.set(id, { process, link: { end: () => handle.connected && handle.send({ rxmp: 'consume-end' }), drained } });
      void Promise.all([process.join(), drained]).then(() => onWorkerExit(id, queues));
    };

    // A consumer died: Redis still holds its items, which its parent (this process, through the
    // queue's lease) handed back as it saw the exit. Another takes its place, within the budget.
    const onWorkerExit = (id: number, queues: readonly [JoinableQueue<NumberedItem>, Queue<PipelineOutcome>]): void => {
      const worker = workers.get(id);
      if (!worker || finished) return;
      workers.delete(id);
      const { process } = worker;
      const reported = reportedError(process);
      if (reported) return fail(reported);
      const failWith = (reason: string): void =>
        fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: waiting.size, reason }));
      if (settings.onConsumerExit === 'error' && waiting.size > 0) return failWith("onConsumerExit is 'error'.");
      const verdict = budget.onConsumerDied(undefined);
      if (!verdict) startWorker(nextWorkerId++, queues);
      else if (workers.size === 0) failWith(`no consumer is left in this process to take them: ${verdict.reason}`);
    };

    // Items the source sends before the run holds its name in Redis (a hot source emits at once) wait
    // here; they count against maxsize as puts not yet confirmed do.
    let early: NumberedItem[] | undefined = [];
    // The gate reopens at half: opening and shutting it at every put near the bound sent the
    // producer children a pause and a resume message per item.
    const confirmed = (): void => {
      unconfirmed--;
      if (unconfirmed <= maxsize / 2) gate.open();
      maybeComplete();
    };
    const putItem = (numbered: NumberedItem): void => {
      if (early) early.push(numbered);
      else (items as JoinableQueue<NumberedItem>).put(numbered).then(confirmed, fail);
    };
    const subscribeSource = (): void => {
      sourceSubscription = withGate(gate, () =>
        source.subscribe({
          next: (item) => {
            if (finished) return;
            if (typeof item !== 'string' && typeof item !== 'number') {
              try {
                assertItem(item);
              } catch (error) {
                return fail(error);
              }
            }
            if (overflow === 'error' && unconfirmed >= maxsize + gate.attached) return fail(overfilled(maxsize));
            const seq = nextSeq++;
            waiting.add(seq);
            unconfirmed++;
            if (unconfirmed >= maxsize) gate.shut();
            putItem([seq, item]);
          },
          error: fail,
          complete: () => {
            sourceDone = true;
            maybeComplete();
          },
        }),
      );
    };

    const start = async (): Promise<void> => {
      const outcomesName = `${backend.name}.out`;
      const description: PipelineDescription = {
        run: randomUUID(),
        handler: ref.exportName,
        args: settings.args,
        initializer: init?.ref.exportName ?? null,
        initargs: init?.args ?? [],
        maxsize,
        items: backend.name,
        outcomes: outcomesName,
      };
      record = await PipelineRecord.claim(backend, description);
      if (finished) return;
      items = new JoinableQueue<NumberedItem>(maxsize, { backend });
      // One reader takes every consumer's outcomes: a read takes what several of them wrote.
      outcomes = new Queue<PipelineOutcome>(0, { backend: siblingBackend(backend, outcomesName, { window: OUTCOME_ENTRIES_PER_READ }) });
      const queues = [items, outcomes] as const;
      for (let id = 0; id < settings.processes; id++) startWorker(id, queues);
      readOutcomes(outcomes).catch(fail);
      const waited = early ?? [];
      early = undefined;
      for (const numbered of waited) putItem(numbered);
    };
    start().catch(fail);
    subscribeSource();

    return () => {
      finished = true;
      if (downstream) downstream.attached -= MAX_VALUES_PER_REPORT;
      sourceSubscription?.unsubscribe();
      const children = [...workers.values()].map(({ process }) => process);
      for (const child of children) if (child.exitCode === null) child.terminate();
      // The run's keys go once its consumers here are gone; workers elsewhere see the run end.
      void Promise.all(children.map((child) => child.join())).then(async () => {
        items?.close();
        outcomes?.close();
        await record?.end();
      });
    };
  });
}

function remoteFailure(by: string, seq: number, error: { name: string; message: string; stack: string | undefined }): TaskError {
  return new TaskError({ processName: by, seq, ...error });
}

function overfilled(maxsize: number): QueueFullError {
  return new QueueFullError(
    maxsize,
    `The queue is full (maxsize ${maxsize}) and its source does not slow down: only producer() and consume() sources subscribed under queue()/consume() can be paused. ` +
      "Pipe producer() into queue() directly (operators like map/filter/merge in between are fine), or drop `overflow: 'error'` to buffer what it sends ahead.",
  );
}

const CONSUMER_TARGET = bootstrapExport('runRedisConsumer');
// A consumer reports at most this many values at once (consumer-runner's batch).
const MAX_VALUES_PER_REPORT = 512;
const OUTCOME_ENTRIES_PER_READ = 32;
