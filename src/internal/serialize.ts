import { serialize } from 'node:v8';
import { SerializationError } from '../errors/serialization-error.js';
import { itemTooLarge } from './frame-codec.js';

// Structured clone is what `serialization: 'advanced'` IPC uses; checking up front turns a late
// DataCloneError inside send() into a typed error that names the offending value. With `maxBytes`
// (a queue item, which must fit in one frame) a value that may be that large is measured too.
export function assertCloneable(value: unknown, path: string, maxBytes = Infinity): void {
  if (isPlainData(value, 0)) return;
  let bytes: number;
  try {
    bytes = serialize(value).length;
  } catch (cause) {
    throw new SerializationError(path, cause);
  }
  if (bytes > maxBytes) throw itemTooLarge(bytes, path);
}

// Most items are strings, numbers and small plain objects or arrays of them, which always clone: a
// short walk proves that far cheaper than serialising (the hot path of every queue put). Anything
// else — or anything large or deep — gets the real check.
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      // A long string is measured: it may not fit in a frame.
      return (value as string).length <= MAX_PLAIN_STRING;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        if (value.length > MAX_ENTRIES) return false;
        for (const entry of value) if (!isPlainData(entry, depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      let entries = 0;
      for (const key in value) {
        if (++entries > MAX_ENTRIES || !isPlainData((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const MAX_DEPTH = 4;
const MAX_PLAIN_STRING = 64 * 1024;
const MAX_ENTRIES = 64;

/** Marks Queue instances, whichever copy of the library made them. */
export const QUEUE_BRAND = Symbol.for('rx-multiprocessing.Queue');
