import { isProtocolMessage } from '../internal/protocol.js';

/**
 * The end of a consume() child's input that a queue feeds: the parent sends it over the IPC channel
 * (`consume-end`) once every item is done, while the child may be waiting on the queue for more.
 */
export class ParentEnd {
  #ended = false;
  #wake: (() => void) | undefined;

  constructor() {
    process.on('message', this.#onMessage);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Waits for the item `get()` brings (handed to `keep`), or for the end. A get that fails once the
   * input has ended (the queue is let go of then), or with an error `endsInput` says ends it, is no
   * matter.
   */
  next<I>(get: () => Promise<I>, keep: (item: I) => void, endsInput: (error: unknown) => boolean = () => false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#wake = resolve;
      get().then(
        (item) => {
          keep(item);
          this.#wake = undefined;
          resolve();
        },
        (error: unknown) => {
          this.#wake = undefined;
          if (endsInput(error)) this.#ended = true;
          if (this.#ended) resolve();
          else reject(error);
        },
      );
    });
  }

  /** Stops listening: the consumer has finished. */
  close(): void {
    process.off('message', this.#onMessage);
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message) || message.rxmp !== 'consume-end') return;
    this.#ended = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}
