import { createServer, type Server, type Socket } from 'node:net';
import { decodeItems, encodeFrame, FrameDecoder, type Frame } from '../internal/frame-codec.js';
import { isProtocolMessage, type InboxWireMessage, type ItemSpan } from '../internal/protocol.js';
import { EMPTY } from '../internal/queue-core.js';
import { newSocketAddress } from '../internal/socket-address.js';
import type { ConsumerInput, ConsumerResult } from './consumer-input.js';
import { sendToParent } from './parent-channel.js';

/** A batch in the inbox: its origin, its items, and how many were taken. */
interface Batch {
  readonly socket: Socket;
  readonly p: number;
  readonly seq: number;
  readonly items: unknown[];
  taken: number;
}

/**
 * A broker-free consumer's items (see brokerFreeConsume): producer children connect to this
 * consumer's own socket and write their batches straight here, within the credit it grants each of
 * them, `window` batches at a time. The parent is only told the outcomes, with the origin of every
 * item (`spans`): a producer keeps each batch until the parent has all its outcomes, and sends it to
 * another consumer if this one dies first, so an item can arrive twice and the parent keeps the first
 * outcome only. It listens from its creation, so it must be created before the child first awaits.
 */
export class InboxInput implements ConsumerInput {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #window: number;
  readonly #batches: Batch[] = [];
  // Items taken and not yet reported, as spans in the order they were taken.
  #unreported: [p: number, seq: number, n: number, from: number, count: number][] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(window: number) {
    this.#window = window;
    const address = newSocketAddress('inbox');
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.listen(address, () => sendToParent({ rxmp: 'inbox', address }));
    process.on('message', this.#onMessage);
  }

  get done(): boolean {
    return this.#ended && this.#batches.length === 0;
  }

  take(): unknown {
    const batch = this.#batches[0];
    if (!batch) return EMPTY;
    const index = batch.taken++;
    const item = batch.items[index];
    batch.items[index] = undefined;
    const last = this.#unreported[this.#unreported.length - 1];
    if (last && last[0] === batch.p && last[1] === batch.seq) last[4]++;
    else this.#unreported.push([batch.p, batch.seq, batch.items.length, index, 1]);
    if (batch.taken === batch.items.length) {
      this.#batches.shift();
      // Room for one more batch from that producer.
      if (!batch.socket.destroyed) writeFrame(batch.socket, { t: 'credit', n: 1 });
    }
    return item;
  }

  arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  report(result: ConsumerResult, handled: number): void {
    sendToParent({ rxmp: 'consume-results', result: { ...result, spans: this.#spansOf(handled) } });
  }

  close(): void {
    process.off('message', this.#onMessage);
    this.#server.close();
    for (const socket of this.#sockets) socket.destroy();
  }

  // The spans of the next `handled` items taken, removed from the unreported ones.
  #spansOf(handled: number): ItemSpan[] {
    const spans: ItemSpan[] = [];
    let left = handled;
    while (left > 0) {
      const span = this.#unreported[0];
      if (!span) break;
      const [p, seq, n, from, count] = span;
      if (count <= left) {
        spans.push(span);
        this.#unreported.shift();
        left -= count;
      } else {
        spans.push([p, seq, n, from, left]);
        span[3] = from + left;
        span[4] = count - left;
        left = 0;
      }
    }
    return spans;
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay?.(true);
    const decoder = new FrameDecoder<InboxWireMessage>();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) this.#receive(socket, frame);
    });
    // A producer that exits closes its connection: nothing of it remains to read.
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
    writeFrame(socket, { t: 'credit', n: this.#window });
  }

  #receive(socket: Socket, { header, body }: Frame<InboxWireMessage>): void {
    if (header.t !== 'batch') return;
    const items = decodeItems<unknown>(body);
    this.#batches.push({ socket, p: header.p, seq: header.seq, items, taken: 0 });
    this.#wakeUp();
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isProtocolMessage(message) || message.rxmp !== 'consume-end') return;
    this.#ended = true;
    this.#wakeUp();
  };

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Writes one frame of the inbox protocol (a batch with its items), in one syscall. */
export function writeFrame(socket: Socket, message: InboxWireMessage, items?: readonly unknown[]): Buffer[] {
  const parts = encodeFrame(message, items);
  writeParts(socket, parts);
  return parts;
}

export function writeParts(socket: Socket, parts: readonly Buffer[]): void {
  socket.cork();
  for (const part of parts) socket.write(part);
  socket.uncork();
}
