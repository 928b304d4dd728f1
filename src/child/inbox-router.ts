import { connect, type Socket } from 'node:net';
import { encodeFrameWithBody, encodeItemBodies, FrameDecoder } from '../queue/wire/frame-codec.js';
import { ClientHandshake } from '../queue/wire/handshake.js';
import { ProtocolError } from '../queue/wire/protocol-error.js';
import { checkInboxMessage } from '../queue/wire/wire-checks.js';
import { writeParts } from '../internal/inbox-wire.js';
import { isProtocolMessage, type InboxWireMessage } from '../internal/protocol.js';
import { PROMPT_FLUSH_MS } from '../queue/wire/queue-proxy.js';
import { TRY_PUT } from '../internal/symbols.js';
import { sendToParent } from './parent-channel.js';

/** A batch sent and not yet released: to whom, how many items, and its bytes, to send it again. */
interface Sent {
  consumer: number;
  readonly count: number;
  readonly parts: readonly Buffer[];
}

/**
 * A broker-free producer's channel (see brokerFreeConsume): values are batched as a queue's puts are,
 * and written straight to the consumers' inboxes, round robin, as many to each as its credit allows
 * (its window: one at a time to a consumer of slow items). Every batch sent is kept until the parent
 * releases it (it has all its outcomes), at most `maxKept` items of them besides the batch being
 * filled: a parent that falls behind holds the producer back. The batches a consumer held when its connection closed go to the others,
 * whatever their credit; the parent keeps only the first outcome of an item, so one handled twice is
 * reported once.
 */
export class InboxRouter {
  readonly #p: number;
  readonly #batchSize: number;
  readonly #maxKept: number;
  #sockets: (Socket | undefined)[] = [];
  // Connections to inboxes still in their handshake.
  readonly #connecting = new Set<Socket>();
  #credit: number[] = [];
  #next = 0;
  #batch: unknown[] = [];
  #batchSince = 0;
  #flushDue = false;
  #flushScheduled = false;
  #seq = 0;
  #total = 0;
  #sentItems = 0;
  #progressScheduled = false;
  readonly #sent = new Map<number, Sent>();
  #kept = 0;
  // Batches of a consumer that is gone, to send elsewhere before anything new.
  #resend: number[] = [];
  #waiters: (() => void)[] = [];

  constructor(p: number, batchSize: number, maxKept: number) {
    this.#p = p;
    this.#batchSize = batchSize;
    this.#maxKept = maxKept;
    process.on('message', this.#onMessage);
  }

  [TRY_PUT](value: unknown): boolean {
    // A value is taken only into room some inbox granted: the generator is not pulled while every
    // consumer's window is full (a whole batch filled ahead of credit overshot the bound). A send that
    // went only in part may still have made room.
    if (this.#batch.length >= this.#room() && (this.#batch.length === 0 || !this.#send()) && this.#batch.length >= this.#room()) return false;
    const now = Date.now();
    if (this.#batch.length === 0) {
      this.#batchSince = now;
      this.#scheduleFlush();
    }
    this.#batch.push(value);
    this.#total++;
    // As a queue's puts: a batch leaves when full, at the turn's end, or once it has waited
    // PROMPT_FLUSH_MS in a loop that does not let the turn end.
    if (this.#batch.length >= this.#batchSize || now - this.#batchSince >= PROMPT_FLUSH_MS) this.#send();
    return true;
  }

  async put(value: unknown): Promise<void> {
    while (!this[TRY_PUT](value)) await this.#change();
  }

  /** After the last value: sends what is batched, says how many there were, and waits for every release. */
  async finish(): Promise<void> {
    while (!this.#send()) await this.#change();
    sendToParent({ rxmp: 'produced', total: this.#total, done: true });
    while (this.#sent.size > 0) await this.#change();
    this.abandon();
  }

  /** Done, or the target failed: nothing more is sent, and nothing keeps this process alive. */
  abandon(): void {
    process.off('message', this.#onMessage);
    const sockets = [...this.#sockets, ...this.#connecting];
    this.#sockets = [];
    this.#connecting.clear();
    for (const socket of sockets) socket?.destroy();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (!this.#send()) this.#flushDue = true;
    });
  }

  // The parent counts what is lost if every consumer dies: it must know what was sent.
  #scheduleProgress(): void {
    if (this.#progressScheduled) return;
    this.#progressScheduled = true;
    setImmediate(() => {
      this.#progressScheduled = false;
      sendToParent({ rxmp: 'produced', total: this.#sentItems, done: false });
    });
  }

  // Sends the batch (resends first), split as credit allows; true once all of it left.
  #send(): boolean {
    if (!this.#sendResends()) return false;
    // Spread over every inbox with credit: credit granted while items were fast outlives the window
    // of a consumer they have since turned slow on, and must not take a whole batch to it.
    const piece = Math.ceil(this.#batch.length / this.#inboxesWithCredit());
    while (this.#batch.length > 0) {
      const consumer = this.#kept < this.#maxKept ? this.#pickInbox() : -1;
      if (consumer < 0) {
        // What is left waits for credit: its prompt-flush clock starts again.
        this.#batchSince = Date.now();
        return false;
      }
      const count = Math.min(this.#batch.length, this.#credit[consumer] as number, this.#maxKept - this.#kept, piece);
      const items = count === this.#batch.length ? this.#batch : this.#batch.splice(0, count);
      if (items === this.#batch) this.#batch = [];
      this.#credit[consumer] = (this.#credit[consumer] as number) - count;
      // One frame, or several if the items are too large for one.
      for (const piece of encodeItemBodies(items)) {
        const seq = this.#seq++;
        const parts = encodeFrameWithBody({ t: 'batch', p: this.#p, seq }, piece.body);
        writeParts(this.#sockets[consumer] as Socket, parts);
        this.#sent.set(seq, { consumer, count: piece.count, parts });
      }
      this.#kept += count;
      this.#sentItems += count;
      this.#scheduleProgress();
    }
    this.#flushDue = false;
    return true;
  }

  #sendResends(): boolean {
    while (this.#resend.length > 0) {
      const sent = this.#sent.get(this.#resend[0] as number);
      if (sent) {
        const consumer = this.#liveInbox();
        if (consumer < 0) return false;
        writeParts(this.#sockets[consumer] as Socket, sent.parts);
        this.#credit[consumer] = (this.#credit[consumer] as number) - sent.count;
        sent.consumer = consumer;
      }
      this.#resend.shift();
    }
    return true;
  }

  // How many values the batch may hold: a batch, within the credit of the live inboxes and what may
  // be kept unreleased.
  #room(): number {
    let credit = 0;
    for (let consumer = 0; consumer < this.#sockets.length; consumer++) {
      if (this.#sockets[consumer]) credit += Math.max(0, this.#credit[consumer] as number);
    }
    return Math.min(this.#batchSize, credit, this.#maxKept - this.#kept);
  }

  #inboxesWithCredit(): number {
    let inboxes = 0;
    this.#sockets.forEach((socket, consumer) => {
      if (socket && (this.#credit[consumer] as number) > 0) inboxes++;
    });
    return Math.max(1, inboxes);
  }

  #pickInbox(): number {
    const inboxes = this.#sockets.length;
    for (let k = 0; k < inboxes; k++) {
      const consumer = (this.#next + k) % inboxes;
      if ((this.#credit[consumer] as number) > 0 && this.#sockets[consumer]) {
        this.#next = consumer + 1;
        return consumer;
      }
    }
    return -1;
  }

  // For a batch sent again: the live inbox with the most credit, even if none has any.
  #liveInbox(): number {
    let best = -1;
    this.#sockets.forEach((socket, consumer) => {
      if (socket && (best < 0 || (this.#credit[consumer] as number) > (this.#credit[best] as number))) best = consumer;
    });
    return best;
  }

  // Settles at the next credit, release, closed inbox or routes.
  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #changed(): void {
    if (this.#flushDue) this.#send();
    else this.#sendResends();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #connect(addresses: readonly string[]): void {
    this.#credit = addresses.map(() => 0);
    this.#sockets = addresses.map(() => undefined);
    addresses.forEach((address, consumer) => {
      // A consumer that died before it listened has no address.
      if (address) this.#connectInbox(address, consumer);
    });
  }

  // Consumer `consumer` was replaced: what its predecessor held goes elsewhere (should its close not
  // have been seen yet, it would be ignored once the new socket takes its place), and the new inbox
  // takes its slot.
  #reconnect(consumer: number, address: string): void {
    const old = this.#sockets[consumer];
    if (old) {
      this.#inboxGone(consumer, old);
      old.destroy();
    }
    if (consumer < this.#sockets.length && address) this.#connectInbox(address, consumer);
  }

  // An inbox counts as a route once it has proved it belongs to this tree: nothing is written to it before.
  #connectInbox(address: string, consumer: number): void {
    const socket = connect(address);
    this.#connecting.add(socket);
    socket.setNoDelay?.(true);
    const decoder = new FrameDecoder<InboxWireMessage>();
    let handshake: ClientHandshake | undefined = new ClientHandshake((answer) => socket.write(answer));
    socket.on('data', (chunk: Buffer) => {
      try {
        let data: Buffer | undefined = chunk;
        if (handshake) {
          data = handshake.receive(chunk);
          if (data === undefined) return;
          handshake = undefined;
          if (!this.#connecting.delete(socket)) return;
          this.#sockets[consumer] = socket;
        }
        for (const { header } of decoder.push(data)) {
          const credit = checkInboxMessage(header as unknown as Record<string, unknown>, 'credit');
          this.#credit[consumer] = (this.#credit[consumer] as number) + credit.n;
        }
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        socket.destroy(error);
        return;
      }
      this.#changed();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#connecting.delete(socket);
      this.#inboxGone(consumer, socket);
    });
  }

  // Its consumer is gone: what it was sent and the parent has not released goes to the others.
  #inboxGone(consumer: number, socket: Socket): void {
    if (this.#sockets[consumer] !== socket) return;
    this.#sockets[consumer] = undefined;
    this.#credit[consumer] = 0;
    for (const [seq, sent] of this.#sent) if (sent.consumer === consumer) this.#resend.push(seq);
    this.#resend.sort((a, b) => a - b);
    this.#changed();
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message)) return;
    if (message.rxmp === 'routes') this.#connect(message.addresses);
    else if (message.rxmp === 'route') this.#reconnect(message.consumer, message.address);
    else if (message.rxmp === 'release') this.#release(message.seqs);
    else return;
    this.#changed();
  };

  #release(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const sent = this.#sent.get(seq);
      if (!sent) continue;
      this.#sent.delete(seq);
      this.#kept -= sent.count;
    }
  }
}
