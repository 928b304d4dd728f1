/** An item on its way through consume(): its sequence number (arrival order) and value. */
export interface Job<T> {
  readonly seq: number;
  readonly item: T;
}

/**
 * The pure state of `consume()`: the bounded buffer between the source and the consumer processes,
 * which worker holds which items, and the completion rule. No processes, no IPC: the operator feeds
 * it events and carries out the assignments it returns, and tests drive it directly.
 */
export class DispatchCore<T> {
  readonly maxsize: number;
  readonly window: number;
  #buffer: Job<T>[] = [];
  #nextSeq = 0;
  #sourceDone = false;
  readonly #workers = new Map<number, Map<number, T>>();

  constructor(maxsize: number, window: number) {
    this.maxsize = maxsize;
    this.window = window;
  }

  /** Items waiting for a worker. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Items handed to workers and not finished. */
  get inflight(): number {
    let n = 0;
    for (const jobs of this.#workers.values()) n += jobs.size;
    return n;
  }

  get workerCount(): number {
    return this.#workers.size;
  }

  /** Buffers an item from the source and returns its job. */
  accept(item: T): Job<T> {
    const job = { seq: this.#nextSeq++, item };
    this.#buffer.push(job);
    return job;
  }

  /** True when the buffer holds maxsize items: the source should pause. */
  isFull(): boolean {
    return this.#buffer.length >= this.maxsize;
  }

  sourceCompleted(): void {
    this.#sourceDone = true;
  }

  addWorker(id: number): void {
    this.#workers.set(id, new Map());
  }

  /** A worker is gone: returns the jobs it held unfinished, in order. */
  removeWorker(id: number): Job<T>[] {
    const jobs = this.#workers.get(id);
    this.#workers.delete(id);
    return jobs ? [...jobs].map(([seq, item]) => ({ seq, item })).sort((a, b) => a.seq - b.seq) : [];
  }

  /** Puts jobs back at the head of the buffer (redelivery keeps their original order). */
  requeue(jobs: readonly Job<T>[]): void {
    this.#buffer.unshift(...jobs);
  }

  /**
   * Hands buffered jobs to workers with room in their window, the least loaded first, so a worker
   * never holds more than `window` items and idle workers are served before busy ones.
   */
  assign(): { worker: number; job: Job<T> }[] {
    const assignments: { worker: number; job: Job<T> }[] = [];
    while (this.#buffer.length > 0) {
      let best: [number, Map<number, T>] | undefined;
      for (const entry of this.#workers) {
        if (entry[1].size < this.window && (!best || entry[1].size < best[1].size)) best = entry;
      }
      if (!best) break;
      const job = this.#buffer.shift() as Job<T>;
      best[1].set(job.seq, job.item);
      assignments.push({ worker: best[0], job });
    }
    return assignments;
  }

  /** The worker's longest-held job: consumers that take items in order finish them in that order. */
  oldest(worker: number): number | undefined {
    for (const seq of this.#workers.get(worker)?.keys() ?? []) return seq;
    return undefined;
  }

  /** A worker finished a job; false if the job was unknown (finished twice, or its worker was dropped). */
  finish(worker: number, seq: number): boolean {
    return this.#workers.get(worker)?.delete(seq) ?? false;
  }

  /** The completion rule: the source completed, nothing is buffered, nothing is in flight. */
  isDone(): boolean {
    return this.#sourceDone && this.#buffer.length === 0 && this.inflight === 0;
  }
}
