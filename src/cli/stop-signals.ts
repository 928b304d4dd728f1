/**
 * Ctrl-C (SIGINT) and SIGTERM ask the command to stop gracefully: `stopping` turns true and every
 * sleep ends at once. A second signal ends the process at once, with the signal's status.
 */
export class StopSignals {
  stopping = false;
  readonly #sleepers = new Set<() => void>();

  constructor() {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  /** Waits `ms`, or less if a signal comes. */
  sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }

  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.stopping) {
      this.dispose();
      process.kill(process.pid, signal);
      return;
    }
    this.stopping = true;
    for (const wake of [...this.#sleepers]) wake();
  };
}
