import { createServer, type Server, type Socket } from 'node:net';
import { decodeItems, encodedItemCount, FrameDecoder, type Frame } from '../queue/wire/frame-codec.js';
import { reportRefusal } from '../internal/refusals.js';
import { HandshakeGate } from '../queue/wire/handshake.js';
import { ProtocolError } from '../queue/wire/protocol-error.js';
import { checkInboxMessage } from '../queue/wire/wire-checks.js';
import { writeInboxFrame } from '../internal/inbox-wire.js';
import { nextPrefetchWindow } from '../internal/prefetch-window.js';
import { isProtocolMessage, type InboxWireMessage, type ItemSpan } from '../internal/protocol.js';
import { EMPTY } from '../queue/local/queue-core.js';
import { newSocketAddress } from '../internal/socket-address.js';
import type { ConsumerInput, ConsumerResult } from './consumer-input.js';
import { sendToParent } from './parent-channel.js';

/** One producer's connection: items it may still send (credit out), and items of it here. */
interface Connection {
  readonly socket: Socket;
  granted: number;
  held: number;
}

/** A batch in the inbox: where it came from, its items, and how many were taken. */
interface Batch {
  readonly from: Connection;
  readonly p: number;
  readonly seq: number;
  readonly items: unknown[];
  taken: number;
}

/**
 * A broker-free consumer's items (see brokerFreeConsume): producer children connect to this
 * consumer's own socket and write their batches straight here, within the credit it grants each of
 * them. The credit follows a window timed on the items, as a queue proxy's prefetch: items that take
 * 2 ms or more shrink it to one, so slow items spread over every consumer; fast ones grow it to
 * `maxWindow`, shared among the producers. The parent is only told the outcomes, with the origin of
 * every item (`spans`): a producer keeps each batch until the parent has all its outcomes, and sends
 * it to another consumer if this one dies first, so an item can arrive twice and the parent keeps
 * the first outcome only. It listens from its creation, so it must be created before the child
 * first awaits.
 */
export class InboxInput implements ConsumerInput {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #maxWindow: number;
  readonly #maxKept: number;
  #window = 1;
  #lastTakeAt = 0;
  readonly #batches: Batch[] = [];
  // Items taken and not yet reported, as spans in the order they were taken.
  readonly #unreported: [p: number, seq: number, n: number, from: number, count: number][] = [];
  #ended = false;
  #closed = false;
  readonly #handshakes = new HandshakeGate('inbox');
  #wake: (() => void) | undefined;

  /** `maxKept`: what a producer may have sent and not had released, so at most what it can send here beyond credit. */
  constructor(maxWindow: number, maxKept: number) {
    this.#maxWindow = maxWindow;
    this.#maxKept = maxKept;
    const address = newSocketAddress('inbox');
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.listen(address, () => sendToParent({ rxmp: 'inbox', address }));
    process.on('message', this.#onMessage);
  }

  get done(): boolean {
    return this.#ended && this.#batches.length === 0;
  }

  take(): unknown {
    // The time since the last take is what its item took: this is called again right after it.
    const now = Date.now();
    if (this.#lastTakeAt > 0) this.#adaptWindow(now - this.#lastTakeAt);
    const batch = this.#batches[0];
    // A wait for the next item is not an item's work: the clock restarts at the next take.
    this.#lastTakeAt = batch ? now : 0;
    if (!batch) return EMPTY;
    const index = batch.taken++;
    const item = batch.items[index];
    batch.items[index] = undefined;
    const last = this.#unreported[this.#unreported.length - 1];
    if (last && last[0] === batch.p && last[1] === batch.seq && last[3] + last[4] === index) last[4]++;
    else this.#unreported.push([batch.p, batch.seq, batch.items.length, index, 1]);
    if (batch.taken === batch.items.length) this.#batches.shift();
    batch.from.held--;
    this.#grant(batch.from, false);
    return item;
  }

  arrival(): Promise<void> {
    // Nothing is here: every producer may send what room there is, however little.
    for (const connection of this.#connections) this.#grant(connection, true);
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  // Outcomes go over the IPC channel, which writes at once: `now` changes nothing here.
  report(result: ConsumerResult, handled: number): void {
    sendToParent({ rxmp: 'consume-results', result: { ...result, spans: this.#spansOf(handled) } });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('message', this.#onMessage);
    this.#server.close();
    for (const { socket } of this.#connections) socket.destroy();
    this.#connections.clear();
    this.#handshakes.closeAll();
  }

  // The queue proxy's rule (see prefetch-window): under 1 ms an item grows the window, 2 ms or more
  // shrink it. A larger window is offered to the producers at once.
  #adaptWindow(busyMs: number): void {
    const before = this.#window;
    this.#window = nextPrefetchWindow(before, busyMs, 1, 1, this.#maxWindow);
    if (this.#window > before) for (const connection of this.#connections) this.#grant(connection, false);
  }

  // Each producer's share of the window; credit goes out once half of it is free (or any of it, when
  // this consumer waits), not after every item: a write per item would cost more than the item.
  #grant(connection: Connection, waiting: boolean): void {
    if (connection.socket.destroyed) return;
    const share = Math.max(1, Math.ceil(this.#window / Math.max(1, this.#connections.size)));
    const room = share - connection.granted - connection.held;
    if (room <= 0 || (!waiting && room < Math.ceil(share / 2))) return;
    connection.granted += room;
    writeInboxFrame(connection.socket, { t: 'credit', n: room });
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
    if (this.#closed) {
      socket.destroy();
      return;
    }
    // close() ends the connections still mid-handshake: none is served after it.
    this.#handshakes.accept(socket, (rest) => this.#serve(socket, rest));
  }

  #serve(socket: Socket, rest: Buffer): void {
    const connection: Connection = { socket, granted: 0, held: 0 };
    this.#connections.add(connection);
    socket.setNoDelay?.(true);
    const decoder = new FrameDecoder<InboxWireMessage>();
    const receive = (chunk: Buffer): void => {
      try {
        for (const frame of decoder.push(chunk)) this.#receive(connection, frame);
      } catch (error) {
        // A producer that breaks the protocol loses its connection; its batches go to other consumers.
        if (!(error instanceof ProtocolError)) throw error;
        reportRefusal('inbox', error.message);
        socket.destroy();
      }
    };
    socket.on('data', receive);
    // A producer closes its connection once the parent has every outcome of what it sent: whatever of
    // it is still here was sent twice, and is handled already.
    socket.on('close', () => {
      this.#connections.delete(connection);
      const kept = this.#batches.filter((batch) => batch.from !== connection);
      this.#batches.splice(0, this.#batches.length, ...kept);
      if (this.#batches.length === 0 && this.#ended) this.#wakeUp();
    });
    if (rest.length > 0) receive(rest);
    this.#grant(connection, true);
  }

  #receive(connection: Connection, { header, body }: Frame<InboxWireMessage>): void {
    const batch = checkInboxMessage(header as unknown as Record<string, unknown>, 'batch');
    const count = body ? encodedItemCount(body) : 0;
    // Checked before decoding. A batch beyond the credit granted is one sent again (its first consumer
    // died), and a producer keeps no more than maxKept items unreleased: more is not ours to hold.
    if (count === undefined || count === 0 || (count > connection.granted && connection.held + count > this.#maxKept)) {
      throw new ProtocolError(`a batch of ${String(count)} items with credit for ${connection.granted}, ${connection.held} held`);
    }
    const items = decodeItems<unknown>(body);
    if (items.length !== count) throw new ProtocolError(`a batch said to hold ${count} items holds ${items.length}`);
    connection.granted -= items.length;
    connection.held += items.length;
    this.#batches.push({ from: connection, p: batch.p, seq: batch.seq, items, taken: 0 });
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

