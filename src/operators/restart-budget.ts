
/** Why consume() gives up on its consumers, for a ConsumerExitedError. */
export interface RestartVerdict {
  readonly reason: string;
  /** A poison item was found: fail now, even if other consumers are alive. */
  readonly poison: boolean;
  readonly restarts: number;
  /** The item that killed the most consumers while they held it in progress, if one did. */
  readonly poisonItem?: string;
  readonly killedConsumers?: number;
}

/** The item a consumer held in progress when it died: a key to count deaths by, and how to name it. */
export interface Suspect {
  readonly key: unknown;
  readonly describe: () => string;
}

/**
 * How consume() answers the death of a consumer, as Python's Pool replaces its workers: another one is
 * started, up to `maxRestarts` in all. An item that was in progress in as many dead consumers as the
 * pool has (at least two) is a poison item: the handler itself kills whoever runs it, and restarting
 * would only feed it more consumers, so the output fails at once, naming it. A pure state machine.
 */
export class RestartBudget {
  readonly #maxRestarts: number;
  readonly #poisonAt: number;
  #restarts = 0;
  readonly #deaths = new Map<unknown, { count: number; describe: () => string }>();

  constructor(maxRestarts: number, processes: number) {
    this.#maxRestarts = maxRestarts;
    this.#poisonAt = Math.max(2, processes);
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** A consumer died (holding `suspect` in progress, if known): undefined to start a replacement, or why not. */
  onConsumerDied(suspect?: Suspect): RestartVerdict | undefined {
    if (suspect) {
      const deaths = this.#deaths.get(suspect.key) ?? { count: 0, describe: suspect.describe };
      deaths.count++;
      this.#deaths.set(suspect.key, deaths);
      if (deaths.count >= this.#poisonAt) {
        const poisonItem = deaths.describe();
        return {
          reason:
            `its handler killed ${deaths.count} consumers while they ran ${poisonItem} (a poison item: ` +
            'the handler calls process.exit() or crashes the process on it). Fix the handler for that item, or catch what kills the process.',
          poison: true,
          restarts: this.#restarts,
          poisonItem,
          killedConsumers: deaths.count,
        };
      }
    }
    if (this.#restarts < this.#maxRestarts) {
      this.#restarts++;
      return undefined;
    }
    return this.spent();
  }

  /** The budget is spent: why, naming the deadliest item if any item killed more than one consumer. */
  spent(): RestartVerdict {
    let worst: { count: number; describe: () => string } | undefined;
    for (const deaths of this.#deaths.values()) if (deaths.count > 1 && (!worst || deaths.count > worst.count)) worst = deaths;
    const base = `${this.#restarts} consumer(s) were restarted already, the restart budget (maxRestarts: ${this.#maxRestarts}).`;
    if (!worst) return { reason: `${base} Raise maxRestarts, or find out what kills the consumers.`, poison: false, restarts: this.#restarts };
    const poisonItem = worst.describe();
    return {
      poison: false,
      reason: `${base} ${poisonItem} was in progress in ${worst.count} of the consumers that died: a poison item, probably.`,
      restarts: this.#restarts,
      poisonItem,
      killedConsumers: worst.count,
    };
  }
}

/** The default restart budget: this many replacements per consumer slot. */
export const RESTARTS_PER_CONSUMER = 4;
