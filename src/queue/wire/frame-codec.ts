import { deserialize, serialize } from 'node:v8';
import { SerializationError } from '../../errors/serialization-error.js';
import { ProtocolError } from './protocol-error.js';

/** One message on a queue connection: a small JSON header and, for item batches, a structured-clone body. */
export interface Frame<H> {
  readonly header: H;
  readonly body: Body | undefined;
}

/** A frame's body: one buffer, or the pieces it was read in, in order (see FrameDecoder's `keepPieces`). */
export type Body = Buffer | readonly Buffer[];

export function bodyLength(body: Body): number {
  if (Buffer.isBuffer(body)) return body.length;
  let length = 0;
  for (const piece of body) length += piece.length;
  return length;
}

export function joinBody(body: Body): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.concat(body);
}

// Layout: u32 frame length (after this field), u32 header length, header JSON, body bytes.
// JSON for headers because it is the fastest codec for small objects; v8's structured clone for
// item batches because items may be Maps, Dates, typed arrays, BigInts…. The prefix+header and the
// body stay separate buffers (written together by a corked socket), so a large body is never copied.
export function encodeFrame(header: object, items?: readonly unknown[]): Buffer[] {
  return encodeFrameWithBody(header, items ? encodeItems(items) : undefined);
}

/**
 * Encodes items as bodies of at most MAX_FRAME_BYTES each, in order: a batch of large items is split
 * in halves until each part fits. The common case costs one comparison. A single item that does not
 * fit throws SerializationError (a put checks this earlier for any item that may be that large).
 */
export function encodeItemBodies(items: readonly unknown[]): { readonly count: number; readonly body: Buffer }[] {
  const body = encodeItems(items);
  if (body.length <= MAX_BODY_BYTES) return [{ count: items.length, body }];
  if (items.length === 1) throw itemTooLarge(body.length, 'a queue item');
  const half = Math.ceil(items.length / 2);
  return [...encodeItemBodies(items.slice(0, half)), ...encodeItemBodies(items.slice(half))];
}

/** The error for an item whose encoding exceeds what one frame may carry. */
export function itemTooLarge(bytes: number, what: string): SerializationError {
  return new SerializationError(
    what,
    new RangeError(`it encodes to ${formatMiB(bytes)}, more than the ${formatMiB(MAX_BODY_BYTES)} one frame between processes may carry`),
    'Frames are bounded so that no peer can make a process allocate without limit: send large data in parts, or write it to a file and send its path.',
  );
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// v8's serializer keeps every object it wrote (its back-reference map) alive until the serializer
// itself is collected, a garbage collection or two later. Serialising the batch array itself kept
// all its items alive that long: 1 KiB strings survived scavenges, were copied, then promoted. A
// throwaway copy of the array, emptied at once, lets them die young. Measured on 200 batches of 500
// x 1 KiB strings: 102 MB survived scavenges -> 11 MB, GC pauses 24-28 -> 10-16 ms.
function encodeItems(items: readonly unknown[]): Buffer {
  const batch = items.slice();
  const body = serialize(batch);
  batch.length = 0;
  return body;
}

/** A frame around a body already encoded (a batch forwarded as it came). */
export function encodeFrameWithBody(header: object, body: Body | undefined): Buffer[] {
  // The header is written straight into the prefix (no intermediate Buffer): every allocation per
  // message brings the next young-generation GC closer, and those set the round trip's p99.
  const json = JSON.stringify(header);
  const headLength = Buffer.byteLength(json);
  const prefix = Buffer.allocUnsafe(8 + headLength);
  prefix.writeUInt32LE(4 + headLength + (body ? bodyLength(body) : 0), 0);
  prefix.writeUInt32LE(headLength, 4);
  prefix.write(json, 8);
  if (!body) return [prefix];
  return Buffer.isBuffer(body) ? [prefix, body] : [prefix, ...body];
}

export function decodeItems<T>(body: Body | undefined): T[] {
  if (!body) return [];
  // The deserializer, like the serializer, keeps what it read until it is collected: hand out a
  // copy of the array and empty the one it holds (see encodeItems).
  const decoded = deserialize(joinBody(body)) as T[];
  const items = decoded.slice();
  decoded.length = 0;
  return items;
}

/** Reassembles frames from a byte stream. */
export class FrameDecoder<H> {
  // Chunks of an incomplete frame are kept apart and joined once, when the frame is whole: joining
  // on every chunk would copy a large frame over and over.
  #chunks: Buffer[] = [];
  #buffered = 0;
  #needed = 4;
  // A frame larger than the reused read buffer is read straight into a buffer of its own, which is
  // kept for the next such frame: a fresh one each time would cost a malloc and, for the kernel to
  // write into it, a page fault per 4 KiB.
  #direct: Buffer | undefined;
  #directFilled = 0;
  #spare: Buffer | undefined;
  readonly #keepPieces: boolean;

  /**
   * With `keepPieces`, a large frame that arrived in several chunks gets the pieces of its body
   * instead of one joined copy: a queue owner forwards such a batch as it came, and joins it only
   * to decode it. For sockets whose read buffers are not reused (the server's).
   */
  constructor(options: { keepPieces?: boolean } = {}) {
    this.#keepPieces = options.keepPieces ?? false;
  }

  /**
   * Where the next read should land: `reused`, or, inside a frame larger than it, that frame's own
   * buffer. The kernel then writes a large batch where it will be decoded: no copy out of the read
   * buffer, no joining of chunks, and fewer, larger reads.
   */
  readTarget(reused: Buffer): Buffer {
    return this.#direct ? this.#direct.subarray(this.#directFilled) : reused;
  }

  /**
   * `bytes` were read into what readTarget() returned. As with push(chunk, true), the frames' bodies
   * are valid only until the next read: `reused`, and a large frame's buffer, are reused then.
   */
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
    const frames: Frame<H>[] = [];
    let data = chunk;
    let joined = false;
    if (this.#chunks.length > 1) {
      const pieced = this.#keepPieces && this.#needed >= KEEP_PIECES_FROM ? this.#pieceFrame(chunk) : undefined;
      if (pieced) {
        frames.push(pieced);
        data = chunk.subarray(chunk.length - (this.#buffered - this.#needed));
      } else {
        data = Buffer.concat(this.#chunks, this.#buffered);
        joined = true;
      }
    }
    while (data.length >= 4) {
      const length = checkedLength(data);
      if (data.length < 4 + length) break;
      const headLength = data.readUInt32LE(4);
      const header = parseHeader<H>(data, headLength, length);
      const body = 4 + length > 8 + headLength ? data.subarray(8 + headLength, 4 + length) : undefined;
      frames.push({ header, body });
      data = data.subarray(4 + length);
    }
    // The rest, an incomplete frame, is kept: copied if it still lies in a buffer about to be reused,
    // into a buffer of the frame's size if the frame will not fit in that reused buffer.
    const needed = data.length >= 4 ? 4 + checkedLength(data) : 4;
    if (needed > directAbove) {
      if (!this.#spare || this.#spare.length < needed) this.#spare = needed <= KEEP_SPARE_UP_TO ? Buffer.allocUnsafeSlow(needed) : undefined;
      this.#direct = this.#spare ? this.#spare.subarray(0, needed) : Buffer.allocUnsafeSlow(needed);
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

  // The frame the kept chunks and `last` complete, its body as pieces: every kept chunk lies wholly
  // in it (it was incomplete before `last` came), and it ends inside `last`. Undefined, so the frame
  // is joined instead, in the rare case its header is cut.
  #pieceFrame(last: Buffer): Frame<H> | undefined {
    const first = this.#chunks[0] as Buffer;
    if (first.length < 8) return undefined;
    const headLength = first.readUInt32LE(4);
    if (first.length < 8 + headLength) return undefined;
    const header = parseHeader<H>(first, headLength, this.#needed - 4);
    const pieces: Buffer[] = [];
    if (first.length > 8 + headLength) pieces.push(first.subarray(8 + headLength));
    for (let i = 1; i < this.#chunks.length - 1; i++) pieces.push(this.#chunks[i] as Buffer);
    const inLast = last.length - (this.#buffered - this.#needed);
    if (inLast > 0) pieces.push(last.subarray(0, inLast));
    return { header, body: pieces };
  }
}

// A frame's length, refused before anything is allocated for it when it is over the limit: a
// length prefix is a peer's word, and 2 GiB announced must not become 2 GiB reserved.
function checkedLength(data: Buffer): number {
  const length = data.readUInt32LE(0);
  if (length > MAX_FRAME_BYTES) throw new ProtocolError(`a frame of ${length} bytes announced, over the limit of ${MAX_FRAME_BYTES}`);
  if (length < 4) throw new ProtocolError(`a frame of ${length} bytes announced, too short for its header length`);
  return length;
}

// The header of a frame of `length` bytes: a JSON object, or ProtocolError.
function parseHeader<H>(data: Buffer, headLength: number, length: number): H {
  if (headLength > MAX_HEADER_BYTES || headLength > length - 4) throw new ProtocolError(`a header of ${headLength} bytes in a frame of ${length}`);
  let header: unknown;
  try {
    header = JSON.parse(data.toString('utf8', 8, 8 + headLength));
  } catch (error) {
    throw new ProtocolError(`a header that is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new ProtocolError('a header that is not an object');
  return header as H;
}

/** The most one body may weigh: what a process allocates for one peer's frame is bounded by it. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;
// Headers are a few small fields.
const MAX_HEADER_BYTES = 4096;
const MAX_FRAME_BYTES = MAX_BODY_BYTES + 4 + MAX_HEADER_BYTES;

// Below this a frame cut into chunks is joined: copying a few KiB costs less than tracking pieces.
const KEEP_PIECES_FROM = 64 * 1024;
// A larger frame (a rare huge batch) gets a buffer of its own that is not kept.
const KEEP_SPARE_UP_TO = 4 * 1024 * 1024;

const NO_FRAMES: never[] = [];

/**
 * How many items an encoded batch says it holds, read from its first bytes (v8's header, then an
 * array tag and its length), or undefined if it is no array: a queue owner checks a peer's count
 * against it without decoding the batch, which it forwards as it came.
 */
export function encodedItemCount(body: Body): number | undefined {
  const head = Buffer.isBuffer(body) ? body : (body[0] ?? EMPTY_BODY);
  if (head.length < 4 || head[0] !== V8_VERSION_TAG) return undefined;
  let offset = 1;
  // The format version, a varint.
  while (offset < head.length && ((head[offset] as number) & 0x80) !== 0) offset++;
  offset++;
  const tag = head[offset++];
  if (tag !== DENSE_ARRAY_TAG && tag !== SPARSE_ARRAY_TAG) return undefined;
  let count = 0;
  for (let shift = 0; offset < head.length && shift < 35; shift += 7) {
    const byte = head[offset++] as number;
    count += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return count;
  }
  return undefined;
}

const EMPTY_BODY = Buffer.alloc(0);
const V8_VERSION_TAG = 0xff;
const DENSE_ARRAY_TAG = 0x41;
const SPARSE_ARRAY_TAG = 0x61;
