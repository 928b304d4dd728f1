import type { Socket } from 'node:net';
import { encodeFrame, FrameDecoder, type Frame } from './frame-codec.js';
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
    if (this.socket.destroyed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.socket.uncork();
      });
    }
    for (const part of encodeFrame(message, items)) this.socket.write(part);
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
}

const EMPTY = Buffer.alloc(0);
