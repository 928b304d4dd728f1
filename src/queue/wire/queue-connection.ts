import { connect, type Socket } from 'node:net';
import { encodeFrame, encodeFrameWithBody, encodeItemBodies, FrameDecoder, type Body, type Frame } from './frame-codec.js';
import { ClientHandshake } from './handshake.js';
import { ProtocolError } from './protocol-error.js';
import type { QueueWireMessage } from '../../internal/protocol.js';

/**
 * One end of a queue connection: frames out (corked, so every frame written in one event-loop turn
 * leaves in one syscall) and frames in. A frame that breaks the framing, or that onFrame rejects by
 * throwing, closes this connection and nothing else.
 */
export class QueueConnection {
  readonly socket: Socket;
  readonly #decoder: FrameDecoder<QueueWireMessage>;
  #corked = false;
  // A client's frames wait here until its answer to the server's challenge has been written.
  #beforeHandshake: Buffer[] | undefined;
  readonly #onAnswered: (() => void)[] = [];

  readonly #onFrame: (frame: Frame<QueueWireMessage>) => void;

  /**
   * For a server's socket, already authenticated (see receiveEarly). With `ownReads`, the socket's
   * reads are not 'data' events but go to the decoder directly (see QueueConnection.connect).
   */
  constructor(socket: Socket, onFrame: (frame: Frame<QueueWireMessage>) => void, options: { ownReads?: boolean } = {}) {
    this.socket = socket;
    this.#onFrame = onFrame;
    // A socket read through 'data' events gets a fresh buffer for every read: a large frame can be
    // kept in the pieces it came in.
    this.#decoder = new FrameDecoder({ keepPieces: !options.ownReads });
    socket.setNoDelay?.(true);
    if (options.ownReads) return;
    socket.on('data', (chunk: Buffer) => this.#receiveChunk(chunk));
  }

  /** Bytes the peer sent before this connection read its socket (those after its handshake answer). */
  receiveEarly(bytes: Buffer): void {
    if (bytes.length > 0) this.#receiveChunk(bytes);
  }

  /**
   * Connects to a queue owner, reading into one buffer that is reused for every read: by default a
   * socket allocates 64 KiB for each read, and that churn of external memory brings garbage
   * collections — the pauses that set a round trip's p99. A frame's body is then valid only while
   * onFrame runs (a proxy decodes it at once).
   */
  static connect(address: string, onFrame: (frame: Frame<QueueWireMessage>) => void): QueueConnection {
    let connection: QueueConnection | undefined;
    const readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    // The server speaks first (its challenge); until the handshake is over, reads go to it.
    let handshake: ClientHandshake | undefined = new ClientHandshake((answer) => (connection as QueueConnection).#answered(answer));
    const socket = connect({
      path: address,
      onread: {
        // Asked before every read: a large frame under way is read into its own buffer.
        buffer: () => (connection && !handshake ? connection.#decoder.readTarget(readBuffer) : readBuffer),
        callback: (bytes) => {
          if (!connection) return true;
          const self = connection;
          if (handshake) {
            let rest: Buffer | undefined;
            try {
              rest = handshake.receive(readBuffer.subarray(0, bytes));
            } catch (error) {
              self.#fail(error);
              return false;
            }
            if (rest === undefined) return true;
            handshake = undefined;
            if (rest.length > 0) self.#receiveChunk(rest);
            return true;
          }
          self.#receiveRead(bytes, readBuffer);
          return true;
        },
      },
    });
    connection = new QueueConnection(socket, onFrame, { ownReads: true });
    connection.#beforeHandshake = [];
    return connection;
  }

  // The client's answer leaves first, then every frame written meanwhile.
  #answered(answer: Buffer): void {
    const held = this.#beforeHandshake ?? [];
    this.#beforeHandshake = undefined;
    if (this.socket.destroyed) return;
    this.socket.cork();
    this.socket.write(answer);
    for (const part of held) this.socket.write(part);
    this.socket.uncork();
    for (const resolve of this.#onAnswered.splice(0)) resolve();
  }

  #receiveChunk(chunk: Buffer): void {
    if (this.socket.destroyed) return;
    try {
      this.#dispatch(this.#decoder.push(chunk));
    } catch (error) {
      this.#refuse(error);
    }
  }

  #receiveRead(bytes: number, readBuffer: Buffer): void {
    if (this.socket.destroyed) return;
    try {
      this.#dispatch(this.#decoder.read(bytes, readBuffer));
    } catch (error) {
      this.#refuse(error);
    }
  }

  #dispatch(frames: Frame<QueueWireMessage>[]): void {
    for (const frame of frames) this.#onFrame(frame);
  }

  // Only a peer's fault ends its connection quietly; a fault of ours must still be seen.
  #refuse(error: unknown): void {
    if (!(error instanceof ProtocolError)) throw error;
    this.#fail(error);
  }

  // The peer broke the protocol: this connection ends, with the reason, and nothing else does.
  #fail(error: unknown): void {
    this.socket.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  /** Sends items as one frame, or several when they are too large for one; `header` gives each its count. */
  sendItems(header: (n: number) => QueueWireMessage, items: readonly unknown[]): void {
    for (const { count, body } of encodeItemBodies(items)) this.#write(encodeFrameWithBody(header(count), body));
  }

  send(message: QueueWireMessage, items?: readonly unknown[]): void {
    this.#write(encodeFrame(message, items));
  }

  /** Sends items whose body is already encoded. */
  sendEncoded(message: QueueWireMessage, body: Body): void {
    this.#write(encodeFrameWithBody(message, body));
  }

  #write(parts: Buffer[]): void {
    if (this.socket.destroyed) return;
    if (this.#beforeHandshake) {
      this.#beforeHandshake.push(...parts);
      return;
    }
    if (!this.#corked) {
      this.#corked = true;
      this.socket.cork();
      process.nextTick(() => this.writeNow());
    }
    for (const part of parts) this.socket.write(part);
  }

  /**
   * Writes what this turn has corked at once, not at the turn's end: code in a long synchronous
   * stretch (a CPU-bound loop that awaits only settled promises) starves process.nextTick too.
   */
  writeNow(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.socket.uncork();
  }

  /** Settles once everything written so far has left this process (or the socket is gone). */
  flushed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    if (this.#beforeHandshake) {
      // Nothing leaves before the handshake: wait for it (or for the socket's end), then flush.
      return new Promise<void>((resolve) => {
        this.#onAnswered.push(resolve);
        this.socket.once('close', () => resolve());
      }).then(() => this.flushed());
    }
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      // Writes complete in order, so an empty write's callback means every earlier write is out.
      this.socket.write(EMPTY, () => resolve());
    });
  }

  /**
   * Ends the connection without losing data: half-closes (our data, then FIN), keeps reading until
   * the peer closes too, then settles. Closing a Unix socket that still holds unread data (a credit
   * the owner just sent) makes the kernel reset the connection, and the peer loses whatever it had
   * not read yet — the last items of an exiting producer. Bounded by `ms` in case the peer is gone.
   */
  endGracefully(ms: number): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, ms);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }
}

const EMPTY = Buffer.alloc(0);
const READ_BUFFER_BYTES = 64 * 1024;
