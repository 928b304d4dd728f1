import { serialize } from 'node:v8';
import { SerializationError } from '../errors/serialization-error.js';

// Structured clone is what `serialization: 'advanced'` IPC uses; checking up front turns a late
// DataCloneError inside send() into a typed error that names the offending value.
export function assertCloneable(value: unknown, path: string): void {
  try {
    serialize(value);
  } catch (cause) {
    throw new SerializationError(path, cause);
  }
}

/** Marks Queue instances, whichever copy of the library made them. */
export const QUEUE_BRAND = Symbol.for('rx-multiprocessing.Queue');
