/**
 * What a broker-free pipeline's parent knows of the items (see brokerFreeConsume): for each batch of
 * each producer, which items have an outcome. An item may be handled twice (its consumer died before
 * its outcome arrived, and the batch was sent again), so only its first outcome counts. A batch whose
 * every item has one is complete; its producer may then forget it.
 */
export class OutcomeLedger {
  // Per producer: batches with outcomes missing (a flag per item), and the complete ones: every seq
  // below `below`, and those in `above`. Batches complete nearly in order, so the set stays small.
  readonly #open: Map<number, { readonly flags: Uint8Array; done: number }>[];
  readonly #complete: { below: number; readonly above: Set<number> }[];
  readonly #onComplete: (p: number, seq: number) => void;

  constructor(producers: number, onComplete: (p: number, seq: number) => void) {
    this.#open = Array.from({ length: producers }, () => new Map());
    this.#complete = Array.from({ length: producers }, () => ({ below: 0, above: new Set<number>() }));
    this.#onComplete = onComplete;
  }

  /** Records the outcome of item `index` of producer `p`'s batch `seq` (of `n` items): true if it is the item's first. */
  accept(p: number, seq: number, n: number, index: number): boolean {
    const open = this.#open[p];
    const complete = this.#complete[p];
    if (!open || !complete || seq < complete.below || complete.above.has(seq) || index < 0 || index >= n) return false;
    let batch = open.get(seq);
    if (!batch) {
      batch = { flags: new Uint8Array(n), done: 0 };
      open.set(seq, batch);
    }
    if (batch.flags[index]) return false;
    batch.flags[index] = 1;
    if (++batch.done < n) return true;
    open.delete(seq);
    complete.above.add(seq);
    while (complete.above.delete(complete.below)) complete.below++;
    this.#onComplete(p, seq);
    return true;
  }

  /** Items of batches heard of whose outcome has not come. */
  missing(): number {
    let missing = 0;
    for (const open of this.#open) for (const batch of open.values()) missing += batch.flags.length - batch.done;
    return missing;
  }
}
