/** An item on its way through consume(): its sequence number (arrival order) and value. */
export interface Job<T> {
  readonly seq: number;
  readonly item: T;
}

/**
 * Jobs in order, kept as two parallel arrays behind a moving head: the dispatcher moves every item
 * through two of these (the buffer, then a worker's), and a `{ seq, item }` object per item, a
 * shift() per take, or a Map entry per item held cost the parent process more than the hand-off did.
 */
export class JobFifo<T> {
  #seqs: number[] = [];
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#seqs.length - this.#head;
  }

  push(seq: number, item: T): void {
    this.#seqs.push(seq);
    this.#items.push(item);
  }

  /** The oldest job's sequence number. */
  peekSeq(): number | undefined {
    return this.#head < this.#seqs.length ? this.#seqs[this.#head] : undefined;
  }

  /** Moves the oldest job to the end of `target` and returns its item. Call only when not empty. */
  moveHeadTo(target: JobFifo<T>): T {
    const item = this.#items[this.#head] as T;
    target.push(this.#seqs[this.#head] as number, item);
    this.#dropHead();
    return item;
  }

  /** Removes the job `seq`; the oldest is the usual case and costs nothing to find. */
  remove(seq: number): boolean {
    if (this.peekSeq() === seq) {
      this.#dropHead();
      return true;
    }
    const at = this.#seqs.indexOf(seq, this.#head);
    if (at < 0) return false;
    this.#seqs.splice(at, 1);
    this.#items.splice(at, 1);
    return true;
  }

  /** Puts `jobs` before every job here, in their order. */
  unshiftAll(jobs: readonly Job<T>[]): void {
    this.#seqs = [...jobs.map((job) => job.seq), ...this.#seqs.slice(this.#head)];
    this.#items = [...jobs.map((job) => job.item), ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** Every job here, oldest first. */
  toJobs(): Job<T>[] {
    const jobs: Job<T>[] = [];
    for (let i = this.#head; i < this.#seqs.length; i++) jobs.push({ seq: this.#seqs[i] as number, item: this.#items[i] as T });
    return jobs;
  }

  // The arrays are cut back once the taken part is most of them, so a FIFO that never runs empty
  // does not grow without bound, and each cut copies no more than was taken since the last.
  #dropHead(): void {
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#seqs.length) {
      this.#seqs.length = 0;
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#seqs.length) {
      this.#seqs = this.#seqs.slice(this.#head);
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

const COMPACT_AFTER = 1024;
