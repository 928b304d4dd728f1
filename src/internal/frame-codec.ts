import { deserialize, serialize } from 'node:v8';

/** One message on a queue connection: a small JSON header and, for item batches, a structured-clone body. */
export interface Frame<H> {
  readonly header: H;
  readonly body: Buffer | undefined;
}

// Layout: u32 frame length (after this field), u32 header length, header JSON, body bytes.
// JSON for headers because it is the fastest codec for small objects; v8's structured clone for
// item batches because items may be Maps, Dates, typed arrays, BigInts….
export function encodeFrame(header: object, items?: readonly unknown[]): Buffer {
  const head = Buffer.from(JSON.stringify(header));
  const body = items ? serialize(items) : EMPTY_BODY;
  const frame = Buffer.allocUnsafe(8 + head.length + body.length);
  frame.writeUInt32LE(4 + head.length + body.length, 0);
  frame.writeUInt32LE(head.length, 4);
  head.copy(frame, 8);
  body.copy(frame, 8 + head.length);
  return frame;
}

export function decodeItems<T>(body: Buffer | undefined): T[] {
  return body ? (deserialize(body) as T[]) : [];
}

/** Reassembles frames from a byte stream. */
export class FrameDecoder<H> {
  #pending: Buffer = EMPTY_BODY;

  push(chunk: Buffer): Frame<H>[] {
    let data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame<H>[] = [];
    while (data.length >= 4) {
      const length = data.readUInt32LE(0);
      if (data.length < 4 + length) break;
      const headLength = data.readUInt32LE(4);
      const header = JSON.parse(data.toString('utf8', 8, 8 + headLength)) as H;
      const body = 4 + length > 8 + headLength ? data.subarray(8 + headLength, 4 + length) : undefined;
      frames.push({ header, body });
      data = data.subarray(4 + length);
    }
    this.#pending = data.length === 0 ? EMPTY_BODY : Buffer.from(data);
    return frames;
  }
}

const EMPTY_BODY = Buffer.alloc(0);
