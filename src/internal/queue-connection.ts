import { connect, type Socket } from 'node:net';
import { encodeFrame, encodeFrameWithBody, FrameDecoder, type Body, type Frame } from './frame-codec.js';
import type { QueueWireMessage } from './protocol.js';

/**
 * One end of a queue connection: frames out (corked, so every frame written in one event-loop turn
 * leaves in one syscall) and frames in.
 */
export class QueueConnection {
  readonly socket: Socket;
  readonly #decoder: FrameDecoder<QueueWireMessage>;
  #corked = false;

  readonly #onFrame: (frame: Frame<QueueWireMessage>) => void;

  /** With `ownReads`, the socket's reads are not 'data' events but go to the decoder directly (see QueueConnection.connect). */
  constructor(socket: Socket, onFrame: (frame: Frame<QueueWireMessage>) => void, ownReads = false) {
    this.socket = socket;
    this.#onFrame = onFrame;
    // A socket read through 'data' events gets a fresh buffer for every read: a large frame can be
    // kept in the pieces it came in.
    this.#decoder = new FrameDecoder({ keepPieces: !ownReads });
    socket.setNoDelay?.(true);
    if (!ownReads) socket.on('data', (chunk: Buffer) => this.#receive(this.#decoder.push(chunk)));
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
    const socket = connect({
      path: address,
      onread: {
        // Asked before every read: a large frame under way is read into its own buffer.
        buffer: () => (connection ? connection.#decoder.readTarget(readBuffer) : readBuffer),
        callback: (bytes) => {
          if (connection) connection.#receive(connection.#decoder.read(bytes, readBuffer));
          return true;
        },
      },
    });
    connection = new QueueConnection(socket, onFrame, true);
    return connection;
  }

  #receive(frames: Frame<QueueWireMessage>[]): void {
    for (const frame of frames) this.#onFrame(frame);
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
