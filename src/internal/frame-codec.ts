import { deserialize, serialize } from 'node:v8';

/** One message on a queue connection: a small JSON header and, for item batches, a structured-clone body. */
export interface Frame<H> {
  readonly header: H;
  readonly body: Buffer | undefined;
}

// Layout: u32 frame length (after this field), u32 header length, header JSON, body bytes.
// JSON for headers because it is the fastest codec for small objects; v8's structured clone for
// item batches because items may be Maps, Dates, typed arrays, BigInts…. The prefix+header and the
// body stay separate buffers (written together by a corked socket), so a large body is never copied.
export function encodeFrame(header: object, items?: readonly unknown[]): Buffer[] {
  return encodeFrameWithBody(header, items ? serialize(items) : undefined);
}

/** A frame around a body already encoded (a batch forwarded as it came). */
export function encodeFrameWithBody(header: object, body: Buffer | undefined): Buffer[] {
  // The header is written straight into the prefix (no intermediate Buffer): every allocation per
  // message brings the next young-generation GC closer, and those set the round trip's p99.
  const json = JSON.stringify(header);
  const headLength = Buffer.byteLength(json);
  const prefix = Buffer.allocUnsafe(8 + headLength);
  prefix.writeUInt32LE(4 + headLength + (body ? body.length : 0), 0);
  prefix.writeUInt32LE(headLength, 4);
  prefix.write(json, 8);
  return body ? [prefix, body] : [prefix];
}

export function decodeItems<T>(body: Buffer | undefined): T[] {
  return body ? (deserialize(body) as T[]) : [];
}

/** Reassembles frames from a byte stream. */
export class FrameDecoder<H> {
  // Chunks of an incomplete frame are kept apart and joined once, when the frame is whole: joining
  // on every chunk would copy a large frame over and over.
  #chunks: Buffer[] = [];
  #buffered = 0;
  #needed = 4;
  // A frame larger than the reused read buffer is read straight into a buffer of its own.
  #direct: Buffer | undefined;
  #directFilled = 0;

  /**
   * Where the next read should land: `reused`, or, inside a frame larger than it, that frame's own
   * buffer. The kernel then writes a large batch where it will be decoded: no copy out of the read
   * buffer, no joining of chunks, and fewer, larger reads.
   */
  readTarget(reused: Buffer): Buffer {
    return this.#direct ? this.#direct.subarray(this.#directFilled) : reused;
  }

  /** `bytes` were read into what readTarget() returned (`reused` is reused after this call). */
  read(bytes: number, reused: Buffer): Frame<H>[] {
    const direct = this.#direct;
    if (!direct) return this.#push(reused.subarray(0, bytes), true, reused.length);
    this.#directFilled += bytes;
    if (this.#directFilled < direct.length) return NO_FRAMES;
    this.#direct = undefined;
    this.#directFilled = 0;
    return this.push(direct);
  }

  /**
   * Takes the next bytes read and returns the frames they complete. With `transient` the chunk's
   * memory is reused after this call: what is kept of it (an incomplete frame) is copied, and the
   * returned frames' bodies must be consumed before the next read.
   */
  push(chunk: Buffer, transient = false): Frame<H>[] {
    return this.#push(chunk, transient, Infinity);
  }

  #push(chunk: Buffer, transient: boolean, directAbove: number): Frame<H>[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) {
      if (transient) this.#chunks[this.#chunks.length - 1] = Buffer.from(chunk);
      return NO_FRAMES;
    }
    const joined = this.#chunks.length > 1;
    let data = joined ? Buffer.concat(this.#chunks, this.#buffered) : chunk;
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
    // The rest, an incomplete frame, is kept: copied if it still lies in a buffer about to be reused,
    // into a buffer of the frame's size if the frame will not fit in that reused buffer.
    const needed = data.length >= 4 ? 4 + data.readUInt32LE(0) : 4;
    if (needed > directAbove) {
      this.#direct = Buffer.allocUnsafeSlow(needed);
      this.#directFilled = data.copy(this.#direct);
      this.#chunks = [];
      this.#buffered = 0;
      this.#needed = 4;
      return frames;
    }
    this.#chunks = data.length === 0 ? [] : [transient && !joined ? Buffer.from(data) : data];
    this.#buffered = data.length;
    this.#needed = needed;
    return frames;
  }
}

const NO_FRAMES: never[] = [];
