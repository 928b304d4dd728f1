/**
 * One line of progress, rewritten in place at most every PROGRESS_EVERY_MS: items done, their rate
 * and the entries redelivered to this worker. Shown only on a terminal: in a log, a rewritten line
 * is noise, so the worker stays quiet there.
 */
export class ProgressLine {
  readonly shown: boolean;
  readonly #stream: NodeJS.WriteStream;
  readonly #startedAt = Date.now();
  #done = 0;
  #redelivered = 0;
  #drawnAt = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
    this.shown = stream.isTTY === true;
  }

  add(done: number, redelivered: number): void {
    this.#done += done;
    this.#redelivered += redelivered;
    if (this.shown && Date.now() - this.#drawnAt >= PROGRESS_EVERY_MS) this.#draw();
  }

  finish(): void {
    if (!this.shown) return;
    this.#draw();
    this.#stream.write('\n');
  }

  #draw(): void {
    this.#drawnAt = Date.now();
    const seconds = Math.max(0.001, (this.#drawnAt - this.#startedAt) / 1000);
    const rate = Math.round(this.#done / seconds);
    this.#stream.write(`\r\x1b[K${this.#done} items done, ${rate}/s, ${this.#redelivered} redelivered`);
  }
}

const PROGRESS_EVERY_MS = 500;
