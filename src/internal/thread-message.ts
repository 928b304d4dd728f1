import { deserialize, serialize } from 'node:v8';

/**
 * A message between a parent and its child thread, as the bytes of the V8 serializer: the one a
 * process's `advanced` IPC channel uses, so a value crosses to a thread as it crosses to a process (a
 * Buffer arrives as a Buffer; `postMessage`'s own clone would make it a plain Uint8Array). The bytes
 * are ours alone, so their ArrayBuffer is transferred, not copied: the values themselves are copied
 * once, by the serializer, and whatever ArrayBuffers they hold stay with the sender.
 */
export function packMessage(message: unknown): { readonly bytes: ArrayBuffer; readonly transfer: ArrayBuffer[] } {
  const buffer = serialize(message);
  // A Buffer the serializer released owns its whole ArrayBuffer; should it ever be a view into a
  // larger one, transferring that would take memory that is not ours: copy it out instead.
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength && buffer.buffer instanceof ArrayBuffer) {
    return { bytes: buffer.buffer, transfer: [buffer.buffer] };
  }
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return { bytes: copy.buffer, transfer: [copy.buffer] };
}

/** The message `packMessage` packed, or `data` itself if it is not packed bytes. */
export function unpackMessage(data: unknown): unknown {
  return data instanceof ArrayBuffer ? deserialize(new Uint8Array(data)) : data;
}
