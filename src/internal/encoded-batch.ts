import { deserialize } from 'node:v8';

/**
 * Items still in their wire encoding (one structured-clone array), as a proxy's put frame brought
 * them. The owner keeps them so and forwards the same bytes to a consumer: items that only pass
 * through the owner's process are never decoded and encoded again there.
 */
export class EncodedBatch<T> {
  constructor(
    readonly body: Buffer,
    readonly count: number,
  ) {}

  decode(): T[] {
    return deserialize(this.body) as T[];
  }
}

/** What a queue's buffer holds: an item, or a run of items not decoded yet. */
export type Entry<T> = T | EncodedBatch<T>;

export function countOf<T>(entry: Entry<T>): number {
  return entry instanceof EncodedBatch ? entry.count : 1;
}

/**
 * A frame body that shares a much larger read buffer is copied, so keeping it does not keep the
 * whole buffer. Small bodies are copied without asking (a pooled copy is cheaper than reading
 * `.buffer` of a buffer the socket allocated).
 */
export function retainable(body: Buffer): Buffer {
  if (body.length < ALWAYS_COPY_BELOW) return Buffer.from(body);
  return body.length * 2 >= body.buffer.byteLength ? body : Buffer.from(body);
}

const ALWAYS_COPY_BELOW = 4096;
