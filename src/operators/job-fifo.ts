/** An item on its way through consume(): its sequence number (arrival order) and value. */
export interface Job<T> {
  readonly seq: number;
  readonly item: T;
}

/**
 * Jobs in order, in a ring of two parallel arrays (sequence numbers, items) that grows by doubling
 * and is not cut back as it empties: the dispatcher moves every item through two of these (the
 * buffer, then a worker's). A `{ seq, item }` object per item, a Map entry per item held, or arrays
 * regrown after every time they ran empty made the parent allocate ~100 bytes more per item than the
 * item itself, and collect it. A ring keeps the room its largest backlog needed (with `overflow:
 * 'buffer'`, a burst's size) until the consume() that owns it ends.
 */
export class JobFifo<T> {
  #seqs: number[] = new Array<number>(INITIAL_CAPACITY).fill(0);
  #items: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(seq: number, item: T): void {
    if (this.#size === this.#seqs.length) this.#grow();
    const at = (this.#head + this.#size) & (this.#seqs.length - 1);
    this.#seqs[at] = seq;
    this.#items[at] = item;
    this.#size++;
  }

  /** The oldest job's sequence number. */
  peekSeq(): number | undefined {
    return this.#size > 0 ? this.#seqs[this.#head] : undefined;
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
    if (this.#size > 0 && this.#seqs[this.#head] === seq) {
      this.#dropHead();
      return true;
    }
    const mask = this.#seqs.length - 1;
    let k = 1;
    while (k < this.#size && this.#seqs[(this.#head + k) & mask] !== seq) k++;
    if (k >= this.#size) return false;
    // Close the gap: the jobs after it move one place towards the head.
    for (; k < this.#size - 1; k++) {
      const to = (this.#head + k) & mask;
      const from = (to + 1) & mask;
      this.#seqs[to] = this.#seqs[from] as number;
      this.#items[to] = this.#items[from];
    }
    this.#items[(this.#head + this.#size - 1) & mask] = undefined;
    this.#size--;
    return true;
  }

  /** Puts `jobs` before every job here, in their order. */
  unshiftAll(jobs: readonly Job<T>[]): void {
    const all = [...jobs, ...this.toJobs()];
    let capacity = INITIAL_CAPACITY;
    while (capacity < all.length) capacity *= 2;
    this.#seqs = new Array<number>(capacity).fill(0);
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
    this.#head = 0;
    this.#size = 0;
    for (const job of all) this.push(job.seq, job.item);
  }

  /** Every job here, oldest first. */
  toJobs(): Job<T>[] {
    const jobs: Job<T>[] = [];
    const mask = this.#seqs.length - 1;
    for (let k = 0; k < this.#size; k++) {
      const at = (this.#head + k) & mask;
      jobs.push({ seq: this.#seqs[at] as number, item: this.#items[at] as T });
    }
    return jobs;
  }

  #dropHead(): void {
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#seqs.length - 1);
    this.#size--;
  }

  // Twice the room, the jobs copied in order to the start.
  #grow(): void {
    const seqs = new Array<number>(this.#seqs.length * 2).fill(0);
    const items = new Array<T | undefined>(this.#seqs.length * 2).fill(undefined);
    const mask = this.#seqs.length - 1;
    for (let k = 0; k < this.#size; k++) {
      seqs[k] = this.#seqs[(this.#head + k) & mask] as number;
      items[k] = this.#items[(this.#head + k) & mask];
    }
    this.#seqs = seqs;
    this.#items = items;
    this.#head = 0;
  }
}

// A power of two: positions wrap with a mask.
const INITIAL_CAPACITY = 16;
