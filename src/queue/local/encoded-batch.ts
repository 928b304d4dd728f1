import { decodeItems, type Body } from '../wire/frame-codec.js';

/**
 * Items still in their wire encoding (one structured-clone array), as a proxy's put frame brought
 * them. The owner keeps them so and forwards the same bytes to a consumer: items that only pass
 * through the owner's process are never decoded and encoded again there.
 */
export class EncodedBatch<T> {
  constructor(
    readonly body: Body,
    readonly count: number,
  ) {}

  decode(): T[] {
    return decodeItems<T>(this.body);
  }
}

/** What a queue's buffer holds: an item, or a run of items not decoded yet. */
export type Entry<T> = T | EncodedBatch<T>;

export function countOf<T>(entry: Entry<T>): number {
  return entry instanceof EncodedBatch ? entry.count : 1;
}

/**
 * A frame body (or piece of one) that shares a much larger read buffer is copied, so keeping it does
 * not keep the whole buffer. Small bodies are copied without asking (a pooled copy is cheaper than reading
 * `.buffer` of a buffer the socket allocated).
 */
export function retainable(body: Body): Body {
  return Buffer.isBuffer(body) ? retainablePiece(body) : body.map(retainablePiece);
}

function retainablePiece(piece: Buffer): Buffer {
  if (piece.length < ALWAYS_COPY_BELOW) return Buffer.from(piece);
  return piece.length * 2 >= piece.buffer.byteLength ? piece : Buffer.from(piece);
}

const ALWAYS_COPY_BELOW = 4096;
