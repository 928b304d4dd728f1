import { QUEUE_DESCRIPTOR_KEY, type QueueDescriptor } from './protocol.js';
import { DESCRIBE_QUEUE } from './symbols.js';

// Queues travel between processes as descriptors (where the owner listens, which queue): this swaps
// them in, at any depth of arrays and plain objects, before args or fields are cloned for a child.
export function encodeQueues(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const describe = (value as { [DESCRIBE_QUEUE]?: () => QueueDescriptor })[DESCRIBE_QUEUE];
  if (typeof describe === 'function') return describe.call(value);
  if (Array.isArray(value)) return mapIfChanged(value, encodeQueues);
  if (isPlainObject(value)) return mapObjectIfChanged(value, encodeQueues);
  return value;
}

/** The child's side: turns descriptors back into working queue proxies. */
export function decodeQueues(value: unknown, adopt: (descriptor: QueueDescriptor) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if ((value as Record<string, unknown>)[QUEUE_DESCRIPTOR_KEY] === true) return adopt(value as QueueDescriptor);
  if (Array.isArray(value)) return mapIfChanged(value, (v) => decodeQueues(v, adopt));
  if (isPlainObject(value)) return mapObjectIfChanged(value, (v) => decodeQueues(v, adopt));
  return value;
}

function mapIfChanged(array: readonly unknown[], map: (value: unknown) => unknown): unknown[] {
  const mapped = array.map(map);
  return mapped.some((v, i) => v !== array[i]) ? mapped : (array as unknown[]);
}

function mapObjectIfChanged(object: object, map: (value: unknown) => unknown): object {
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) {
    out[key] = map(v);
    if (out[key] !== v) changed = true;
  }
  return changed ? out : object;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
