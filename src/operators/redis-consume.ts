import { randomUUID } from 'node:crypto';
import type { Observable, Subscription } from 'rxjs';
import type { ConsumerInit, NumberedItem, PipelineOutcome } from '../child/consumer-input.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { CAPTURE_STDERR, HANDLE, OUTCOME_STREAM } from '../internal/symbols.js';
import type { OutcomeStream } from '../queue/backend.js';
import { JoinableQueue } from '../process/joinable-queue.js';
import { Process, type ProcessOptions } from '../process/process.js';
import { contextOptions } from './context.js';
import type { ProducerSpec } from './direct-source.js';
import { exitError } from './producer-exit.js';
import { assertItem, Queue } from '../process/queue.js';
import { PoisonItemError } from '../queue/redis/errors/poison-item-error.js';
import { queueKeys } from '../queue/redis/keys.js';
import { pipelineItemsBackend, PipelineRecord, type IntakeMessage, type PipelineDescription } from '../queue/redis/pipeline-record.js';
import { resolveOptions } from '../queue/redis/redis-queue-options.js';
import { settingsOf, siblingBackend, type RedisBackend } from '../queue/redis/redis.js';
import { channelEnd } from './channel-end.js';
import { consumerOptions, type ConsumeSettings } from './consume-settings.js';
import { finishConsumers, type FinishingConsumer } from './finish-consumers.js';
import { currentGate, DemandGate, withGate } from './gate.js';
import { overfilled } from './queue.js';
import { OutputOrder, SKIPPED } from './output-order.js';
import { reportedError } from './reported-error.js';
import { RestartBudget } from './restart-budget.js';
import { createObservable } from './rx.js';

/**
 * consume() on a Redis queue: the pipeline's items go, numbered, into a JoinableQueue in Redis, read
 * by consumer children started here and by workers on other machines (`rx-multiprocessing worker`),
 * which append each outcome, with its item's number, to the queue's outcome stream, read here. The
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
  remoteProducers = 0,
  direct?: readonly ProducerSpec[],
): Observable<R> {
  return createObservable<R>((subscriber) => {
    let finished = false;
    let record: PipelineRecord | undefined;
    let items: JoinableQueue<NumberedItem> | undefined;
    let intake: Queue<IntakeMessage> | undefined;
    let sourceSubscription: Subscription | undefined;
    const workers = new Map<number, FinishingConsumer>();
    const order = new OutputOrder<R>(settings.ordered, (value) => subscriber.next(value));
    // Numbers of the items put whose outcome has not come yet; puts not yet confirmed by Redis.
    const waiting = new Set<number>();
    // The direct path (see redisDirectProducers): producer children number and put their items
    // themselves, and say at the end how many they put; outcomes are counted per producer.
    const firsts = direct ? new FirstOutcomes(direct.length) : undefined;
    const produced: (number | undefined)[] = (direct ?? []).map(() => undefined);
    const producerChildren: Process[] = [];
    let producersExited = 0;
    const isWaiting = (seq: number): boolean => (firsts ? !firsts.has(seq) : waiting.has(seq));
    const unfinished = (): number => (firsts ? produced.reduce<number>((sum, n, p) => sum + Math.max(0, (n ?? Infinity) - firsts.count(p)), 0) : waiting.size);
    let unconfirmed = 0;
    let nextSeq = 0;
    let sourceDone = false;
    // Remote producers (`rx-multiprocessing producer`) that said hello and not yet bye, and how many
    // have finished: the run waits for `remoteProducers` of them.
    const producing = new Set<string>();
    let producersDone = 0;
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
      if (finished || !sourceDone || unconfirmed > 0 || waiting.size > 0 || producing.size > 0 || producersDone < remoteProducers) return;
      if (firsts && (producersExited < produced.length || produced.some((n, p) => n === undefined || firsts.count(p) < n))) return;
      finished = true;
      finishConsumers(workers.values(), settings.daemon, subscriber);
    };

    const deliver = (seq: number, value: R | typeof SKIPPED): boolean => {
      // Not waiting: another consumer's outcome for the same item came first (a redelivery).
      if (firsts ? !firsts.add(seq) : !waiting.delete(seq)) return false;
      order.emit(seq, value);
      return true;
    };

    const onOutcome = (outcome: PipelineOutcome): void => {
      if ('produced' in outcome) {
        produced[outcome.producer] = outcome.produced;
        return;
      }
      if ('poison' in outcome) {
        const [seq = -1] = outcome.seqs;
        if (!isWaiting(seq)) return;
        if (settings.onError === 'skip') deliver(seq, SKIPPED);
        else return fail(new PoisonItemError(backend.name, outcome.poison.itemId, outcome.poison.deliveries, queueKeys(backend.name).dead));
        return;
      }
      const { values, error } = outcome.result as { values: readonly R[]; error?: Parameters<typeof remoteFailure>[2] };
      sizeEntries(values.length + (error ? 1 : 0), (outcome.result as { busyMs?: number }).busyMs ?? 0);
      for (let i = 0; i < outcome.seqs.length && !finished; i++) {
        const seq = outcome.seqs[i] as number;
        if (i < values.length) deliver(seq, values[i] as R);
        else if (error && isWaiting(seq)) {
          if (settings.onError === 'skip') deliver(seq, SKIPPED);
          else fail(remoteFailure(outcome.by, seq, error));
        }
      }
    };

    // A consumer holds an entry whole: entries are sized so that one keeps a consumer busy about
    // ENTRY_MS (slow items travel alone, and an idle consumer is never short of work another holds),
    // from how long the items reported so far took, smoothed.
    let itemMs: number | undefined;
    let entryItems = FIRST_ENTRY_ITEMS;
    const sizeEntries = (handled: number, busyMs: number): void => {
      if (handled === 0 || !items) return;
      const ms = busyMs / handled;
      itemMs = itemMs === undefined ? ms : itemMs + (ms - itemMs) * 0.3;
      const size = itemMs <= 0 ? MAX_ENTRY_ITEMS : Math.min(MAX_ENTRY_ITEMS, Math.max(1, Math.round(ENTRY_MS / itemMs)));
      if (size === entryItems) return;
      entryItems = size;
      items[OUTCOME_STREAM]()?.limitEntries(size);
    };

    // Settles after the next read of outcomes is handled: what a consumer wrote before it exited is
    // then counted (its read is under way as the exit is seen).
    let readHandled: () => void = () => {};
    let nextRead = new Promise<void>((resolve) => (readHandled = resolve));
    const readOutcomes = async (stream: OutcomeStream): Promise<void> => {
      let cursor = '0';
      while (!finished) {
        const read = await stream.read(cursor, OUTCOME_BLOCK_MS);
        const handled = readHandled;
        nextRead = new Promise<void>((resolve) => (readHandled = resolve));
        cursor = read.cursor;
        for (const outcome of read.values as PipelineOutcome[]) {
          if (finished) return;
          // Feeding a later stage's queue that is full: the rest of this read waits here, later
          // outcomes in Redis.
          if (downstream && !downstream.isOpen()) await downstream.whenOpen();
          onOutcome(outcome);
        }
        handled();
        maybeComplete();
      }
    };

    let nextWorkerId = settings.processes;
    const startWorker = (id: number, queue: JoinableQueue<NumberedItem>): void => {
      const process = new Process({ target: CONSUMER_TARGET, args: [queue, ref, settings.args, id, init], daemon: settings.daemon, ...consumerOptions(settings, id) });
      process.start();
      const handle = process[HANDLE];
      const drained = channelEnd(handle);
      workers.set(id, { process, link: { end: () => handle.connected && handle.send({ rxmp: 'consume-end' }), drained } });
      void Promise.all([process.join(), drained]).then(() => onWorkerExit(id, queue)).catch(fail);
    };

    // A consumer died: Redis still holds its items, which its parent (this process, through the
    // queue's lease) handed back as it saw the exit. Another takes its place, within the budget.
    const onWorkerExit = async (id: number, queue: JoinableQueue<NumberedItem>): Promise<void> => {
      if (!workers.has(id) || finished) return;
      // What it reported on its way out is in Redis: read before judging what it left unfinished.
      await Promise.race([nextRead, new Promise((resolve) => setTimeout(resolve, OUTCOME_BLOCK_MS).unref())]);
      const worker = workers.get(id);
      if (!worker || finished) return;
      workers.delete(id);
      const { process } = worker;
      const reported = reportedError(process);
      if (reported) return fail(reported);
      const failWith = (reason: string): void =>
        fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: unfinished(), reason }));
      if (settings.onConsumerExit === 'error' && unfinished() > 0) return failWith("onConsumerExit is 'error'.");
      const verdict = budget.onConsumerDied(undefined);
      if (!verdict) startWorker(nextWorkerId++, queue);
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
    const accept = (item: unknown): void => {
      const seq = nextSeq++;
      waiting.add(seq);
      unconfirmed++;
      if (unconfirmed >= maxsize) gate.shut();
      putItem([seq, item]);
    };

    // What remote producers put: their items join the source's (numbered here, so that ordering,
    // outcomes and completion are one mechanism), read only while this process's puts have room.
    const readIntake = async (intake: Queue<IntakeMessage>): Promise<void> => {
      while (!finished) {
        if (!gate.isOpen()) await gate.whenOpen();
        const message = await intake.get();
        if (finished) return;
        if ('item' in message) accept(message.item);
        else if ('hello' in message) producing.add(message.p);
        else if (producing.delete(message.p)) {
          producersDone++;
          maybeComplete();
        }
      }
    };

    // A producer killed (or cut off) says no bye: once its key expires it counts as done, with the
    // items it put before.
    const watchProducers = async (run: PipelineRecord, deadAfter: number): Promise<void> => {
      while (!finished) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(200, deadAfter / 4)).unref());
        if (finished || producing.size === 0) continue;
        for (const gone of await run.silentProducers(backend.name, [...producing])) {
          if (producing.delete(gone)) producersDone++;
        }
        maybeComplete();
      }
    };

    const startProducers = (specs: readonly ProducerSpec[], queue: JoinableQueue<NumberedItem>): void => {
      specs.forEach((spec, index) => {
        const child = new Process({
          target: PRODUCER_TARGET,
          args: [queue, index, specs.length, spec.ref, spec.args, false],
          name: spec.name,
          [CAPTURE_STDERR]: true,
          ...contextOptions(spec.context),
        } as ProcessOptions);
        child.start();
        producerChildren.push(child);
        void child.join().then(async () => {
          if (finished) return;
          if (child.exitCode !== 0) return fail(await exitError(child));
          producersExited++;
          maybeComplete();
        });
      });
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
            accept(item);
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
      const description: PipelineDescription = {
        run: randomUUID(),
        handler: ref.exportName,
        args: settings.args,
        initializer: init?.ref.exportName ?? null,
        initargs: init?.args ?? [],
        maxsize,
        items: backend.name,
        intake: `${backend.name}.in`,
        remoteProducers,
        deadAfter: resolveOptions({ ...settingsOf(backend).options, url: '' }).deadAfter,
      };
      record = await PipelineRecord.claim(backend, description);
      if (finished) return;
      if (remoteProducers > 0) {
        intake = new Queue<IntakeMessage>(maxsize, { backend: siblingBackend(backend, description.intake) });
        readIntake(intake).catch(fail);
        watchProducers(record, description.deadAfter).catch(fail);
      }
      items = new JoinableQueue<NumberedItem>(maxsize, { backend: pipelineItemsBackend(backend, backend.name) });
      items[OUTCOME_STREAM]()?.limitEntries(FIRST_ENTRY_ITEMS);
      for (let id = 0; id < settings.processes; id++) startWorker(id, items);
      readOutcomes(items[OUTCOME_STREAM]() as OutcomeStream).catch(fail);
      if (direct) startProducers(direct, items);
      const waited = early ?? [];
      early = undefined;
      for (const numbered of waited) putItem(numbered);
    };
    start().catch(fail);
    if (direct) sourceDone = true;
    else subscribeSource();

    return () => {
      finished = true;
      if (downstream) downstream.attached -= MAX_VALUES_PER_REPORT;
      sourceSubscription?.unsubscribe();
      const children = [...producerChildren, ...[...workers.values()].map(({ process }) => process)];
      // Consumers hand back what they hold as SIGTERM ends them; a producer's items not yet in
      // Redis are the ended run's, and a full queue would hold its exit up (SIGKILL).
      for (const child of producerChildren) if (child.exitCode === null) child.kill();
      for (const child of children) if (child.exitCode === null) child.terminate();
      // The run's keys go once its consumers here are gone; workers elsewhere see the run end.
      void Promise.all(children.map((child) => child.join())).then(async () => {
        items?.close();
        intake?.close();
        await record?.end();
      });
    };
  });
}

/**
 * Which item numbers of a direct pipeline have their first outcome: numbers are `index + count * k`
 * for producer `index` of `count`, and per producer every k below `below` has one, plus those in
 * `above`. Outcomes come nearly in order, so the set stays small.
 */
class FirstOutcomes {
  readonly #producers: { below: number; readonly above: Set<number>; count: number }[];

  constructor(producers: number) {
    this.#producers = Array.from({ length: producers }, () => ({ below: 0, above: new Set<number>(), count: 0 }));
  }

  has(seq: number): boolean {
    const p = this.#producers[seq % this.#producers.length];
    const k = Math.floor(seq / this.#producers.length);
    return p !== undefined && (k < p.below || p.above.has(k));
  }

  /** Records the first outcome of item `seq`: false if it had one. */
  add(seq: number): boolean {
    if (this.has(seq)) return false;
    const p = this.#producers[seq % this.#producers.length] as { below: number; readonly above: Set<number>; count: number };
    p.above.add(Math.floor(seq / this.#producers.length));
    while (p.above.delete(p.below)) p.below++;
    p.count++;
    return true;
  }

  /** How many items of producer `index` have an outcome. */
  count(index: number): number {
    return this.#producers[index]?.count ?? 0;
  }
}

function remoteFailure(by: string, seq: number, error: { name: string; message: string; stack: string | undefined }): TaskError {
  return new TaskError({ processName: by, seq, ...error });
}

const CONSUMER_TARGET = bootstrapExport('runRedisConsumer');
const PRODUCER_TARGET = bootstrapExport('runRedisProducer');
// A consumer reports at most this many values at once (consumer-runner's batch).
const MAX_VALUES_PER_REPORT = 512;
// Entry sizes (see sizeEntries): before any outcome, and at most (the engine's batch).
const FIRST_ENTRY_ITEMS = 4;
const MAX_ENTRY_ITEMS = 100;
const ENTRY_MS = 5;
// A read of outcomes waits this long at most, so that a finished run is noticed.
const OUTCOME_BLOCK_MS = 1000;
