import { hostname } from 'node:os';
import { isProtocolMessage, type ProtocolMessage } from '../internal/protocol.js';
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
  readonly #by = `${currentProcess().name} on ${hostname()} (pid ${process.pid})`;
  // The numbers of the items taken and not yet reported, in the order they were taken.
  readonly #taken: number[] = [];
  #arrived: NumberedItem | typeof EMPTY = EMPTY;
  #ended = false;
  #wake: (() => void) | undefined;
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
    items[ON_DEAD_LETTER]((error, [seq]) => this.#send({ by: this.#by, seqs: [seq], poison: { itemId: error.itemId, deliveries: error.deliveries } }, 0));
    process.on('message', this.#onMessage);
  }

  get done(): boolean {
    return this.#ended;
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
    return new Promise((resolve, reject) => {
      this.#wake = resolve;
      this.#items.get().then(
        (numbered) => {
          this.#arrived = numbered;
          this.#wake = undefined;
          resolve();
        },
        (error: unknown) => {
          this.#wake = undefined;
          // The pipeline removed its stream as its run ended, while this consumer waited on it.
          if ((error as { redisCode?: unknown }).redisCode === 'UNBLOCKED') this.#ended = true;
          if (this.#ended) resolve();
          else reject(error);
        },
      );
    });
  }

  report(result: ConsumerResult, handled: number, now: boolean): void {
    const sent = this.#send({ by: this.#by, seqs: this.#taken.splice(0, handled), result }, handled);
    if (now) this.#urgent = sent;
  }

  close(): void {
    process.off('message', this.#onMessage);
  }

  // The outcome first, then the items' taskDone once Redis has it. A put that fails leaves the items
  // pending under this consumer's name, for nobody: the process ends, and its parent hands them back.
  // Settles once written (never rejects).
  #send(outcome: PipelineOutcome, handled: number): Promise<void> {
    this.#batch.push(outcome);
    this.#written ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = this.#batch;
      this.#batch = [];
      this.#written = undefined;
      return this.#outcomes.append(batch);
    });
    return this.#written.then(
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
        setImmediate(() => {
          throw error;
        });
      },
    );
  }

  #tellProgress(): void {
    const reclaimed = this.#items[QUEUE_STATS]()?.reclaimed ?? 0;
    if (this.#done === this.#toldDone && reclaimed === this.#toldReclaimed) return;
    sendToParent({ rxmp: 'consume-progress', done: this.#done - this.#toldDone, redelivered: reclaimed - this.#toldReclaimed } satisfies ProtocolMessage);
    this.#toldDone = this.#done;
    this.#toldReclaimed = reclaimed;
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message) || message.rxmp !== 'consume-end') return;
    this.#ended = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}

const PROGRESS_EVERY_MS = 500;
