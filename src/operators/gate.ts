/**
 * The demand channel RxJS lacks: while a consuming operator subscribes to its source, it publishes
 * a gate here; every `producer()` subscribed during that call (directly, or through synchronous
 * operators such as map, filter, tap, merge) finds it and stops pulling from its child while the
 * gate is shut. Sources subscribed later (a concurrency-limited merge, subscribeOn, delay) miss the
 * gate and count as plain Observables.
 */
export class DemandGate {
  #open = true;
  #waiters: (() => void)[] = [];
  /**
   * Items the sources that promised to respect the gate may still land once it shuts: one per
   * producer (the one already on its way), a consume() stage's consumers' windows (their results).
   */
  attached = 0;
  /** The bound of the queue behind the gate: a producer's default window follows it. */
  readonly maxsize: number;

  constructor(maxsize = Infinity) {
    this.maxsize = maxsize;
  }

  isOpen(): boolean {
    return this.#open;
  }

  shut(): void {
    this.#open = false;
  }

  open(): void {
    if (this.#open) return;
    this.#open = true;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Settles when the gate is (or becomes) open. */
  whenOpen(): Promise<void> {
    if (this.#open) return RESOLVED;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** Runs `subscribe` with `gate` visible to the producers it subscribes synchronously. */
export function withGate<R>(gate: DemandGate, subscribe: () => R): R {
  GATES.push(gate);
  try {
    return subscribe();
  } finally {
    GATES.pop();
  }
}

/** The gate of the innermost consuming operator now subscribing, if any. */
export function currentGate(): DemandGate | undefined {
  return GATES[GATES.length - 1];
}

const GATES: DemandGate[] = [];
const RESOLVED = Promise.resolve();
