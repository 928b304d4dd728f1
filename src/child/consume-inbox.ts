import { isProtocolMessage } from '../internal/protocol.js';
import { EMPTY } from '../queue/local/queue-core.js';
import type { ConsumerInput, ConsumerResult } from './consumer-input.js';
import { sendToParent } from './parent-channel.js';

/**
 * The items a consume() child receives over its IPC channel, in order: the parent sends each batch
 * the dispatcher assigns as one message, and `consume-end` once a non-daemon consumer is to finish.
 * It listens from its creation, so it must be created before the child first awaits: the parent
 * sends items once the child reported ready, which it does just before it runs its target.
 */
export class ConsumeInbox implements ConsumerInput {
  #items: unknown[] = [];
  #head = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor() {
    process.on('message', this.#onMessage);
  }

  get done(): boolean {
    return this.#ended && this.#items.length === this.#head;
  }

  take(): unknown {
    if (this.#head === this.#items.length) return EMPTY;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }

  arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  // The parent finishes the items it sent as their outcomes arrive, in order.
  report(result: ConsumerResult): void {
    sendToParent({ rxmp: 'consume-results', result });
  }

  close(): void {
    process.off('message', this.#onMessage);
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message)) return;
    if (message.rxmp === 'consume-jobs') for (const item of message.items) this.#items.push(item);
    else if (message.rxmp === 'consume-end') this.#ended = true;
    else return;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}
