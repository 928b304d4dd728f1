import type { Socket } from 'node:net';
import { encodeFrame } from '../queue/wire/frame-codec.js';
import type { InboxWireMessage } from './protocol.js';

/** Writes one frame between a broker-free producer and a consumer's inbox, in one syscall. */
export function writeInboxFrame(socket: Socket, message: InboxWireMessage, items?: readonly unknown[]): Buffer[] {
  const parts = encodeFrame(message, items);
  writeParts(socket, parts);
  return parts;
}

/** Writes a frame already encoded (a batch sent again). */
export function writeParts(socket: Socket, parts: readonly Buffer[]): void {
  socket.cork();
  for (const part of parts) socket.write(part);
  socket.uncork();
}
