import { hostname } from 'node:os';
import type { ProtocolMessage } from '../internal/protocol.js';
import { ParentEnd } from './parent-end.js';
import { QueueClosedError } from '../errors/queue-closed-error.js';
import { registerFlushable } from '../internal/flush-registry.js';
import { sendToParent } from './parent-channel.js';
import { ON_DEAD_LETTER, OUTCOME_STREAM, QUEUE_STATS, TRY_GET } from '../internal/symbols.js';
import type { OutcomeStream } from '../queue/backend.js';
import type { JoinableQueue } from '../process/joinable-queue.js';
import { currentProcess } from '../process/current-process.js';
import { EMPTY } from '../queue/local/queue-core.js';
import type { ConsumerInput, ConsumerResult, NumberedItem, PipelineOutcome } from './consumer-input.js';

/**
 * A Redis pipeline's consumer, here or on another machine: items come numbered from the pipeline's
 * queue in Redis, and their outcomes go, with their numbers, to the queue's outcome stream, which
 * the pipeline's process reads (the outcomes of one event-loop turn as one entry). An item is marked done (taskDone) only once Redis holds its outcome: a
 * consumer that dies in between has its items run again elsewhere, and the pipeline emits the first
 * outcome of each number only (processing at least once, one outcome emitted per item).
 */
export class RedisInput implements ConsumerInput {
  readonly #items: JoinableQueue<NumberedItem>;
  readonly #outcomes: OutcomeStream;
  // The outcomes of this event-loop turn, appended as one entry at its end, and when that is written.
  #batch: PipelineOutcome[] = [];
  #written: Promise<void> | undefined;
  #writeScheduled = false;
  #settleBatch: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  readonly #by = `${currentProcess().name} on ${hostname()} (pid ${process.pid})`;
  // The numbers of the items taken and not yet reported, in the order they were taken.
  readonly #taken: number[] = [];
  #arrived: NumberedItem | typeof EMPTY = EMPTY;
  readonly #end = new ParentEnd();
  // An outcome that must leave now (one after a pause, or a failure): Redis writes happen between
  // event-loop turns, so no item is taken until it is written, or a long synchronous handler on the
  // next item would hold it back.
  #urgent: Promise<void> | undefined;

  // Items done and entries reclaimed as last told to a parent that shows progress.
  #done = 0;
  #toldDone = 0;
  #toldReclaimed = 0;

  constructor(items: JoinableQueue<NumberedItem>, progress: boolean) {
    const outcomes = items[OUTCOME_STREAM]();
    if (!outcomes) throw new TypeError("A Redis pipeline's consumer needs the pipeline's queue in Redis.");
    this.#items = items;
    this.#outcomes = outcomes;
    if (progress) {
      const timer = setInterval(() => this.#tellProgress(), PROGRESS_EVERY_MS);
      timer.unref();
    }
    // An item that was in hand each time its consumers died is dead-lettered by whoever takes its
    // entry next: that consumer reports it, or the pipeline would wait for it forever.
    // Outcomes of the last turn are in Redis before this process exits (process.exit() in a
    // handler included): the pipeline counts what a consumer left unfinished after reading them.
    registerFlushable({ pending: () => this.#batch.length > 0, flush: () => this.#writeBatch() });
    items[ON_DEAD_LETTER]((error, [seq]) => this.#send({ by: this.#by, seqs: [seq], poison: { itemId: error.itemId, deliveries: error.deliveries } }, 0));
  }

  get done(): boolean {
    return this.#end.ended;
  }

  take(): unknown {
    if (this.#urgent) return EMPTY;
    let numbered = this.#arrived;
    if (numbered === EMPTY) numbered = this.#items[TRY_GET]();
    else this.#arrived = EMPTY;
    if (numbered === EMPTY) return EMPTY;
    this.#taken.push(numbered[0]);
    return numbered[1];
  }

  arrival(): Promise<void> {
    const urgent = this.#urgent;
    if (urgent) {
      return urgent.then(() => {
        if (this.#urgent === urgent) this.#urgent = undefined;
      });
    }
    return this.#end.next(
      () => this.#items.get(),
      (numbered) => (this.#arrived = numbered),
      // The pipeline removed its stream as its run ended, while this consumer waited on it.
      (error) => (error as { redisCode?: unknown }).redisCode === 'UNBLOCKED',
    );
  }

  report(result: ConsumerResult, handled: number, now: boolean): void {
    const sent = this.#send({ by: this.#by, seqs: this.#taken.splice(0, handled), result }, handled, now);
    if (now) this.#urgent = sent;
  }

  close(): void {
    this.#end.close();
  }

  // The outcome first, then the items' taskDone once Redis has it. A put that fails leaves the items
  // pending under this consumer's name, for nobody: the process ends, and its parent hands them back.
  // Settles once written (never rejects).
  #send(outcome: PipelineOutcome, handled: number, now = false): Promise<void> {
    this.#batch.push(outcome);
    // Settles once the entry this outcome joins is written (#writeBatch resolves it).
    this.#written ??= new Promise<void>((resolve, reject) => (this.#settleBatch = { resolve, reject }));
    const written = this.#written;
    // The outcomes of one turn go as one entry; one that must leave now (see #urgent, and the
    // flush on the way out, which the queue's own close runs beside) goes at once.
    if (now) this.#writeBatch();
    else if (!this.#writeScheduled) {
      this.#writeScheduled = true;
      setImmediate(() => {
        this.#writeScheduled = false;
        void this.#writeBatch();
      });
    }
    return written.then(
      () => {
        this.#done += handled;
        try {
          for (let i = 0; i < handled; i++) this.#items.taskDone();
        } catch {
          // The queue closed as this process ends: its items went back to the stream, to run again
          // elsewhere, and the outcome Redis holds is the one emitted.
        }
      },
      (error: unknown) => {
        // Closed as this process ends (SIGTERM from its parent, say): what it held went back.
        if (error instanceof QueueClosedError) return;
        setImmediate(() => {
          throw error;
        });
      },
    );
  }

  // Appends the outcomes waiting as one entry; resolves once Redis has it.
  #writeBatch(): Promise<void> {
    const batch = this.#batch;
    const settle = this.#settleBatch;
    const written = this.#written ?? Promise.resolve();
    if (batch.length === 0 || !settle) return written;
    this.#batch = [];
    this.#written = undefined;
    this.#settleBatch = undefined;
    this.#outcomes.append(batch).then(settle.resolve, settle.reject);
    return written;
  }

  #tellProgress(): void {
    const reclaimed = this.#items[QUEUE_STATS]()?.reclaimed ?? 0;
    if (this.#done === this.#toldDone && reclaimed === this.#toldReclaimed) return;
    sendToParent({ rxmp: 'consume-progress', done: this.#done - this.#toldDone, redelivered: reclaimed - this.#toldReclaimed } satisfies ProtocolMessage);
    this.#toldDone = this.#done;
    this.#toldReclaimed = reclaimed;
  }
}

const PROGRESS_EVERY_MS = 500;
