import { SerializationError } from '../errors/serialization-error.js';
import { QUEUE_DESCRIPTOR_KEY, type QueueDescriptor } from '../internal/protocol.js';
import { DESCRIBE_QUEUE, OWNERLESS } from '../internal/symbols.js';
import { pathOf, walkValue } from '../internal/value-walk.js';

// Queues travel between processes as descriptors (where the owner listens, which queue): this swaps
// them in, at any depth of arrays, plain objects, Maps and Sets, before args or fields are cloned for
// a child. Cycles and depth are walked without recursion (structured clone accepts both); a value
// with no queue in it is returned as is, one with queues as a copy, so the caller's is never changed.
export function encodeQueues(value: unknown, path = 'value'): unknown {
  if (typeof value !== 'object' || value === null) return value;
  let found = false;
  walkValue(value, path, (reached) => {
    if (!isQueue(reached.value)) return true;
    if (reached.parent && !isContainer(reached.parent.value)) {
      throw new SerializationError(
        pathOf(reached, path),
        new TypeError('a queue inside a class instance cannot reach another process'),
        'Pass queues at the top level of args, or inside plain objects, arrays, Maps or Sets.',
      );
    }
    found = true;
    return false;
  });
  return found ? copyWithDescriptors(value) : value;
}

/** The child's side: turns descriptors back into working queue proxies, in place (the value is the child's own fresh copy). */
export function decodeQueues(value: unknown, adopt: (descriptor: QueueDescriptor) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const adopted = new Map<object, unknown>();
  const swap = (v: unknown): unknown => {
    if (!isDescriptor(v)) return v;
    let proxy = adopted.get(v);
    if (proxy === undefined) adopted.set(v, (proxy = adopt(v)));
    return proxy;
  };
  if (isDescriptor(value)) return swap(value);
  const seen = new Set<object>([value]);
  const stack: object[] = [value];
  const visit = (v: unknown): void => {
    if (typeof v === 'object' && v !== null && !seen.has(v) && !isDescriptor(v)) {
      seen.add(v);
      stack.push(v);
    }
  };
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    if (at instanceof Map) {
      for (const [k, v] of at) {
        if (isDescriptor(v)) at.set(k, swap(v));
        else visit(v);
        visit(k);
      }
    } else if (at instanceof Set) {
      const members = [...at];
      if (members.some(isDescriptor)) {
        at.clear();
        for (const m of members) at.add(swap(m));
      }
      members.forEach(visit);
    } else if (Array.isArray(at) || isPlainObject(at)) {
      const record = at as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const v = record[key];
        if (isDescriptor(v)) record[key] = swap(v);
        else visit(v);
      }
    }
  }
  return value;
}

/**
 * Throws SerializationError where a queue sits inside `value`, at any depth (a queue is passed in
 * Process args, never put); with `ownerlessToo: false`, queues no process serves (Redis) may stay.
 */
export function throwOnQueues(value: unknown, path: string, reason = QUEUE_IN_ITEM, ownerlessToo = true): void {
  walkValue(value, path, (reached) => {
    if (!isQueue(reached.value)) return true;
    if (!ownerlessToo && (reached.value as { [OWNERLESS]?: boolean })[OWNERLESS] === true) return false;
    throw new SerializationError(pathOf(reached, path), new TypeError(reason));
  });
}

export const QUEUE_IN_ITEM = 'a Queue cannot be put into a queue; share queues between processes by passing them in Process args';

// Copies the containers of `root` (arrays, plain objects, Maps, Sets; cycles kept), queues replaced
// by their descriptors; any other object is shared, as structured clone will copy it anyway.
function copyWithDescriptors(root: object): unknown {
  const copies = new Map<object, object>();
  const pending: object[] = [];
  const copyOf = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (isQueue(v)) return v[DESCRIBE_QUEUE]();
    let copy = copies.get(v);
    if (copy !== undefined) return copy;
    if (!isContainer(v)) return v;
    copy = v instanceof Map ? new Map() : v instanceof Set ? new Set() : Array.isArray(v) ? new Array<unknown>(v.length) : {};
    copies.set(v, copy);
    pending.push(v);
    return copy;
  };
  const result = copyOf(root);
  for (let original = pending.pop(); original !== undefined; original = pending.pop()) {
    const copy = copies.get(original) as object;
    if (original instanceof Map) for (const [k, v] of original) (copy as Map<unknown, unknown>).set(copyOf(k), copyOf(v));
    else if (original instanceof Set) for (const m of original) (copy as Set<unknown>).add(copyOf(m));
    else for (const key of Object.keys(original)) (copy as Record<string, unknown>)[key] = copyOf((original as Record<string, unknown>)[key]);
  }
  return result;
}

function isQueue(value: object): value is { [DESCRIBE_QUEUE]: () => QueueDescriptor } {
  return typeof (value as { [DESCRIBE_QUEUE]?: unknown })[DESCRIBE_QUEUE] === 'function';
}

function isDescriptor(value: unknown): value is QueueDescriptor {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[QUEUE_DESCRIPTOR_KEY] === true;
}

function isContainer(value: object): boolean {
  return Array.isArray(value) || value instanceof Map || value instanceof Set || isPlainObject(value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
