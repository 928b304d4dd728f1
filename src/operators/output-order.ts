/** An item whose outcome is to emit nothing (its handler failed, with `onError: 'skip'`). */
export const SKIPPED = Symbol('skipped');

/**
 * Emits a consume() stage's outcomes as they finish, or — `ordered` — in the source's order,
 * holding each until those before it are out.
 */
export class OutputOrder<R> {
  readonly #ordered: boolean;
  readonly #next: (value: R) => void;
  readonly #held = new Map<number, R | typeof SKIPPED>();
  #nextSeq = 0;

  constructor(ordered: boolean, next: (value: R) => void) {
    this.#ordered = ordered;
    this.#next = next;
  }

  /** The outcome of the item numbered `seq` in the source. */
  emit(seq: number, value: R | typeof SKIPPED): void {
    if (!this.#ordered) {
      if (value !== SKIPPED) this.#next(value);
      return;
    }
    this.#held.set(seq, value);
    while (this.#held.has(this.#nextSeq)) {
      const next = this.#held.get(this.#nextSeq) as R | typeof SKIPPED;
      this.#held.delete(this.#nextSeq++);
      if (next !== SKIPPED) this.#next(next);
    }
  }
}
