import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../internal/frame-codec.js';
import { isProtocolMessage, type InboxWireMessage } from '../internal/protocol.js';
import { PROMPT_FLUSH_MS } from '../internal/queue-proxy.js';
import { TRY_PUT } from '../internal/symbols.js';
import { writeFrame, writeParts } from './inbox-input.js';
import { sendToParent } from './parent-channel.js';

/**
 * A broker-free producer's channel (see brokerFreeConsume): values are batched and each batch is
 * written straight to a consumer's inbox that has credit, round robin. Every batch is kept until the
 * parent releases it (it has all its outcomes); the batches a consumer held when its connection
 * closed go to the others. The parent keeps only the first outcome of an item, so one sent twice
 * (handled, then its consumer died before the parent heard) is harmless.
 */
export class InboxRouter {
  readonly #p: number;
  readonly #batchSize: number;
  #sockets: (Socket | undefined)[] = [];
  #credit: number[] = [];
  #next = 0;
  #batch: unknown[] = [];
  #batchSince = 0;
  #flushDue = false;
  #flushScheduled = false;
  #seq = 0;
  #total = 0;
  readonly #retained = new Map<number, { consumer: number; parts: readonly Buffer[] }>();
  // Batches of a consumer that is gone, to send elsewhere before anything new.
  #resend: number[] = [];
  #waiters: (() => void)[] = [];

  constructor(p: number, batchSize: number) {
    this.#p = p;
    this.#batchSize = batchSize;
    process.on('message', this.#onMessage);
  }

  [TRY_PUT](value: unknown): boolean {
    if (this.#batch.length >= this.#batchSize && !this.#sendBatch()) return false;
    const now = Date.now();
    if (this.#batch.length === 0) {
      this.#batchSince = now;
      this.#scheduleFlush();
    }
    this.#batch.push(value);
    this.#total++;
    // As a queue's puts: a batch leaves when full, at the turn's end, or once it has waited
    // PROMPT_FLUSH_MS in a loop that does not let the turn end.
    if (this.#batch.length >= this.#batchSize || now - this.#batchSince >= PROMPT_FLUSH_MS) this.#sendBatch();
    return true;
  }

  async put(value: unknown): Promise<void> {
    while (!this[TRY_PUT](value)) await this.#creditArrives();
  }

  /** After the last value: sends what is batched, says how many there were, and waits for every release. */
  async finish(): Promise<void> {
    while (this.#batch.length > 0 && !this.#sendBatch()) await this.#creditArrives();
    sendToParent({ rxmp: 'produced', total: this.#total });
    while (this.#retained.size > 0) await this.#creditArrives();
    process.off('message', this.#onMessage);
    for (const socket of this.#sockets) socket?.end();
  }

  /** The target failed: this process is to exit with its error, and send nothing more. */
  abandon(): void {
    process.off('message', this.#onMessage);
    for (const socket of this.#sockets) socket?.destroy();
    this.#sockets = [];
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#batch.length > 0 && !this.#sendBatch()) this.#flushDue = true;
    });
  }

  // Sends the batch to an inbox with credit; false if none has any (or resends still wait).
  #sendBatch(): boolean {
    if (!this.#sendResends()) return false;
    const consumer = this.#pickInbox();
    if (consumer < 0) return false;
    const seq = this.#seq++;
    const items = this.#batch;
    this.#batch = [];
    this.#flushDue = false;
    const parts = writeFrame(this.#sockets[consumer] as Socket, { t: 'batch', p: this.#p, seq, n: items.length }, items);
    this.#retained.set(seq, { consumer, parts });
    return true;
  }

  #sendResends(): boolean {
    while (this.#resend.length > 0) {
      const seq = this.#resend[0] as number;
      const kept = this.#retained.get(seq);
      if (kept) {
        const consumer = this.#pickInbox();
        if (consumer < 0) return false;
        writeParts(this.#sockets[consumer] as Socket, kept.parts);
        this.#retained.set(seq, { consumer, parts: kept.parts });
      }
      this.#resend.shift();
    }
    return true;
  }

  #pickInbox(): number {
    const inboxes = this.#sockets.length;
    for (let k = 0; k < inboxes; k++) {
      const consumer = (this.#next + k) % inboxes;
      if ((this.#credit[consumer] as number) > 0 && this.#sockets[consumer]) {
        this.#credit[consumer] = (this.#credit[consumer] as number) - 1;
        this.#next = consumer + 1;
        return consumer;
      }
    }
    return -1;
  }

  #creditArrives(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wakeWaiters(): void {
    if (this.#resend.length > 0) this.#sendResends();
    if (this.#flushDue && this.#batch.length > 0) this.#sendBatch();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #connect(addresses: readonly string[]): void {
    this.#sockets = addresses.map((address, consumer) => {
      // A consumer that died before it listened has no address.
      if (!address) return undefined;
      const socket = connect(address);
      socket.setNoDelay?.(true);
      const decoder = new FrameDecoder<InboxWireMessage>();
      socket.on('data', (chunk: Buffer) => {
        for (const { header } of decoder.push(chunk)) if (header.t === 'credit') this.#credit[consumer] = (this.#credit[consumer] as number) + header.n;
        this.#wakeWaiters();
      });
      socket.on('error', () => {});
      socket.on('close', () => this.#inboxGone(consumer));
      return socket;
    });
    this.#credit = addresses.map(() => 0);
  }

  // Its consumer is gone: what it was sent and the parent has not released goes to the others.
  #inboxGone(consumer: number): void {
    this.#sockets[consumer] = undefined;
    this.#credit[consumer] = 0;
    for (const [seq, kept] of this.#retained) if (kept.consumer === consumer) this.#resend.push(seq);
    this.#resend.sort((a, b) => a - b);
    this.#wakeWaiters();
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message)) return;
    if (message.rxmp === 'routes') this.#connect(message.addresses);
    else if (message.rxmp === 'release') for (const seq of message.seqs) this.#retained.delete(seq);
    else return;
    this.#wakeWaiters();
  };
}
