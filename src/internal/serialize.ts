import { types } from 'node:util';
import { serialize } from 'node:v8';
import { SerializationError } from '../errors/serialization-error.js';
import { findUncloneable } from './find-uncloneable.js';
import { itemTooLarge } from '../queue/wire/frame-codec.js';

// Structured clone is what `serialization: 'advanced'` IPC uses; checking up front turns a late
// DataCloneError inside send() into a typed error that names the offending value.
export function assertCloneable(value: unknown, path: string): void {
  if (!isPlainItem(value)) assertSerializable(value, path);
}

/**
 * The real check, for a value the short walk could not prove plain: serialises it, and with
 * `maxBytes` (a queue item, which must fit in one frame) measures it too.
 */
export function assertSerializable(value: unknown, path: string, maxBytes = Infinity): void {
  let bytes: number;
  try {
    bytes = serialize(value).length;
  } catch (cause) {
    // Structured clone names the refused value by its source (a socket's internal callback, say):
    // find where it sits and what it is instead.
    const found = findUncloneable(value, path);
    if (!found) throw new SerializationError(path, cause);
    throw new SerializationError(found.path, cause, undefined, { valueType: found.valueType, reason: found.reason });
  }
  if (bytes > maxBytes) throw itemTooLarge(bytes, path);
}

/**
 * True when `value` is small plain data (see isPlainData): it clones, and no queue hides in it. A
 * getter or Proxy trap that throws on the walk makes it false: serialising meets the same throw and
 * names it.
 */
export function isPlainItem(value: unknown): boolean {
  try {
    return isPlainData(value, 0);
  } catch {
    return false;
  }
}

/**
 * A copy of `value` as another process would receive it. Small plain data (the common item) is
 * copied by a short walk, ~10x faster than structuredClone; anything else — or with a shared or
 * cyclic part, which structured clone keeps shared — by structuredClone. Primitives are returned.
 */
export function copyItem<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  copied = 0;
  const copy = copyPlain(value, 0);
  // Let go of the item's objects: the array outlives this call.
  for (let i = 0; i < copied; i++) COPIED[i] = undefined;
  return copy === NOT_PLAIN ? structuredClone(value) : (copy as T);
}

// The objects met so far in this copy, in a reused array: an object met twice (shared or cyclic)
// makes the copy structuredClone's, which keeps such links.
function copyPlain(value: object, depth: number): unknown {
  if (depth >= MAX_DEPTH || copied >= MAX_COPIED_OBJECTS) return NOT_PLAIN;
  for (let i = 0; i < copied; i++) if (COPIED[i] === value) return NOT_PLAIN;
  COPIED[copied++] = value;
  if (Array.isArray(value)) {
    const length = value.length;
    if (length > MAX_ENTRIES) return NOT_PLAIN;
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) {
      let entry: unknown = value[i];
      if (typeof entry === 'object' && entry !== null) {
        entry = copyPlain(entry, depth + 1);
        if (entry === NOT_PLAIN) return NOT_PLAIN;
      } else if (typeof entry === 'function' || typeof entry === 'symbol' || (entry === undefined && !(i in value))) {
        return NOT_PLAIN;
      }
      out.push(entry);
    }
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  let entries = 0;
  for (const key in value) {
    if (++entries > MAX_ENTRIES) return NOT_PLAIN;
    let entry: unknown = (value as Record<string, unknown>)[key];
    if (typeof entry === 'object' && entry !== null) {
      entry = copyPlain(entry, depth + 1);
      if (entry === NOT_PLAIN) return NOT_PLAIN;
    } else if (typeof entry === 'function' || typeof entry === 'symbol') return NOT_PLAIN;
    out[key] = entry;
  }
  return out;
}

let copied = 0;
const NOT_PLAIN = Symbol('not plain');
const MAX_COPIED_OBJECTS = 16;
const COPIED: (object | undefined)[] = new Array<object | undefined>(MAX_COPIED_OBJECTS);

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
      // A Proxy looks plain to this walk (and its traps run here) but does not clone.
      if (depth >= MAX_DEPTH || types.isProxy(value)) return false;
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
