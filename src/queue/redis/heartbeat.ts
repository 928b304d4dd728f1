/**
 * Runs `beat` every `period` ms, never two at once, on an unref'd timer (a queue alone does not keep
 * a process alive). A failed beat is retried at the next tick: liveness is judged over `deadAfter`,
 * several periods, so one lost beat costs nothing.
 */
export class Heartbeat {
  readonly #timer: NodeJS.Timeout;
  #running = false;

  constructor(period: number, beat: () => Promise<void>) {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = true;
      beat()
        .catch(() => {})
        .finally(() => {
          this.#running = false;
        });
    }, period);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
