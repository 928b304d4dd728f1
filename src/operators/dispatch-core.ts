import { JobFifo, type Job } from './job-fifo.js';

export type { Job } from './job-fifo.js';

/** The items one dispatch hands to one worker, in order. */
export interface WorkerBatch<T> {
  readonly worker: number;
  readonly items: T[];
}

interface Worker<T> {
  readonly id: number;
  readonly held: JobFifo<T>;
  window: number;
}

/**
 * The pure state of `consume()`: the bounded buffer between the source and the consumer processes,
 * which worker holds which items, and the completion rule. No processes, no IPC: the operator feeds
 * it events and carries out the assignments it returns, and tests drive it directly.
 */
export class DispatchCore<T> {
  readonly maxsize: number;
  /** The window of workers added without one. */
  readonly window: number;
  readonly #buffer = new JobFifo<T>();
  #nextSeq = 0;
  #sourceDone = false;
  #workers: Worker<T>[] = [];
  #inflight = 0;

  constructor(maxsize: number, window: number) {
    this.maxsize = maxsize;
    this.window = window;
  }

  /** Items waiting for a worker. */
  get buffered(): number {
    return this.#buffer.size;
  }

  /** Items handed to workers and not finished. */
  get inflight(): number {
    return this.#inflight;
  }

  get workerCount(): number {
    return this.#workers.length;
  }

  /** Buffers an item from the source. */
  accept(item: T): void {
    this.#buffer.push(this.#nextSeq++, item);
  }

  /** True when the buffer holds maxsize items: the source should pause. */
  isFull(): boolean {
    return this.#buffer.size >= this.maxsize;
  }

  sourceCompleted(): void {
    this.#sourceDone = true;
  }

  /** A worker that may hold the core's window of items until adaptWindow() resizes it. */
  addWorker(id: number): void {
    this.#workers.push({ id, held: new JobFifo(), window: this.window });
  }

  /** Resizes a worker's window from its current one; what it already holds beyond it stays with it. */
  adaptWindow(id: number, next: (window: number) => number): void {
    const worker = this.#find(id);
    if (worker) worker.window = next(worker.window);
  }

  /** A worker is gone: returns the jobs it held unfinished, in order. */
  removeWorker(id: number): Job<T>[] {
    const worker = this.#find(id);
    if (!worker) return [];
    this.#workers = this.#workers.filter((w) => w !== worker);
    const jobs = worker.held.toJobs();
    this.#inflight -= jobs.length;
    return jobs;
  }

  /** Puts jobs back at the head of the buffer (redelivery keeps their original order). */
  requeue(jobs: readonly Job<T>[]): void {
    this.#buffer.unshiftAll(jobs);
  }

  /** Assigns what it can (see #assignEach), one job at a time. */
  assign(): { worker: number; job: Job<T> }[] {
    const assigned: { worker: number; job: Job<T> }[] = [];
    this.#assignEach((worker, seq, item) => assigned.push({ worker: worker.id, job: { seq, item } }));
    return assigned;
  }

  /** Assigns what it can (see #assignEach), as one batch per worker: one message each. */
  assignBatches(): WorkerBatch<T>[] {
    const batches: WorkerBatch<T>[] = [];
    let last: WorkerBatch<T> | undefined;
    this.#assignEach((worker, _seq, item) => {
      if (last?.worker !== worker.id) last = batches.find((batch) => batch.worker === worker.id);
      if (!last) {
        last = { worker: worker.id, items: [] };
        batches.push(last);
      }
      last.items.push(item);
    });
    return batches;
  }

  /**
   * A worker finished its oldest job (consumers take their items in order): returns its sequence
   * number, or undefined if it held none (its jobs were taken back when it was removed).
   */
  finishOldest(id: number): number | undefined {
    const held = this.#find(id)?.held;
    const seq = held?.peekSeq();
    if (seq === undefined) return undefined;
    held?.remove(seq);
    this.#inflight--;
    return seq;
  }

  /** A worker finished a job; false if the job was unknown (finished twice, or its worker was dropped). */
  finish(id: number, seq: number): boolean {
    if (!this.#find(id)?.held.remove(seq)) return false;
    this.#inflight--;
    return true;
  }

  /** The completion rule: the source completed, nothing is buffered, nothing is in flight. */
  isDone(): boolean {
    return this.#sourceDone && this.#buffer.size === 0 && this.#inflight === 0;
  }

  // Hands buffered jobs to workers with room in their window, the least loaded first, so a worker
  // never holds more than its window and idle workers are served before busy ones.
  #assignEach(visit: (worker: Worker<T>, seq: number, item: T) => void): void {
    const workers = this.#workers;
    while (this.#buffer.size > 0) {
      let best: Worker<T> | undefined;
      let bestLoad = Infinity;
      for (let i = 0; i < workers.length; i++) {
        const worker = workers[i] as Worker<T>;
        const load = worker.held.size;
        if (load < worker.window && load < bestLoad) {
          best = worker;
          bestLoad = load;
        }
      }
      if (!best) return;
      const seq = this.#buffer.peekSeq() as number;
      this.#inflight++;
      visit(best, seq, this.#buffer.moveHeadTo(best.held));
    }
  }

  #find(id: number): Worker<T> | undefined {
    for (let i = 0; i < this.#workers.length; i++) if ((this.#workers[i] as Worker<T>).id === id) return this.#workers[i];
    return undefined;
  }
}
