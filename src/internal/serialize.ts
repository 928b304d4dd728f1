import { serialize } from 'node:v8';
import { SerializationError } from '../errors/serialization-error.js';

// Structured clone is what `serialization: 'advanced'` IPC uses; checking up front turns a late
// DataCloneError inside send() into a typed error that names the offending value.
export function assertCloneable(value: unknown, path: string): void {
  if (typeof value === 'object' && value !== null && QUEUE_BRAND in value) {
    // v8 would clone a Queue (all #private state) as `{}`: refuse it rather than deliver an empty object.
    throw new SerializationError(path, new TypeError('a Queue handle cannot be sent to another process in this version; the queue works within the process that created it'));
  }
  try {
    serialize(value);
  } catch (cause) {
    throw new SerializationError(path, cause);
  }
}

/** Marks Queue instances, whichever copy of the library made them. */
export const QUEUE_BRAND = Symbol.for('rx-multiprocessing.Queue');
