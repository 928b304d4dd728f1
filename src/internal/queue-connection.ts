import type { Socket } from 'node:net';
import { encodeFrame, encodeFrameWithBody, FrameDecoder, type Frame } from './frame-codec.js';
import type { QueueWireMessage } from './protocol.js';

/**
 * One end of a queue connection: frames out (corked, so every frame written in one event-loop turn
 * leaves in one syscall) and frames in.
 */
export class QueueConnection {
  readonly socket: Socket;
  readonly #decoder = new FrameDecoder<QueueWireMessage>();
  #corked = false;

  constructor(socket: Socket, onFrame: (frame: Frame<QueueWireMessage>) => void) {
    this.socket = socket;
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#decoder.push(chunk)) onFrame(frame);
    });
  }

  send(message: QueueWireMessage, items?: readonly unknown[]): void {
    this.#write(encodeFrame(message, items));
  }

  /** Sends items whose body is already encoded. */
  sendEncoded(message: QueueWireMessage, body: Buffer): void {
    this.#write(encodeFrameWithBody(message, body));
  }

  #write(parts: Buffer[]): void {
    if (this.socket.destroyed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.socket.uncork();
      });
    }
    for (const part of parts) this.socket.write(part);
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
