import { types } from 'node:util';
import { SerializationError } from '../errors/serialization-error.js';

/**
 * One object reached by {@link walkValue}, with the way to it: `path()` builds `args[0].a[3]` only
 * when an error needs it, so a walk without errors allocates no strings.
 */
export interface Reached {
  readonly value: object;
  readonly parent: Reached | undefined;
  readonly key: string | number | undefined;
  readonly via: 'key' | 'map-key' | 'map-value' | 'set';
}

/**
 * Visits every object structured clone would reach from `root` (own enumerable properties, array
 * entries, Map keys and values, Set members), each once, without recursion: a cyclic value ends,
 * and a 100,000-deep one costs heap, not stack. `visit` returns false to skip an object's contents.
 * A Proxy, or a getter or trap that throws, becomes a SerializationError naming where it was, with
 * the underlying error as its cause: structured clone would refuse the value later, less clearly.
 */
export function walkValue(root: unknown, rootPath: string, visit: (reached: Reached) => boolean): void {
  if (typeof root !== 'object' || root === null) return;
  const seen = new Set<object>();
  const stack: Reached[] = [{ value: root, parent: undefined, key: undefined, via: 'key' }];
  seen.add(root);
  for (let reached = stack.pop(); reached !== undefined; reached = stack.pop()) {
    const { value } = reached;
    if (types.isProxy(value)) {
      throw new SerializationError(pathOf(reached, rootPath), new TypeError('a Proxy cannot be cloned'), PROXY_ADVICE);
    }
    if (!visit(reached)) continue;
    const push = (child: unknown, key: string | number | undefined, via: Reached['via']): void => {
      if (typeof child !== 'object' || child === null || seen.has(child)) return;
      seen.add(child);
      stack.push({ value: child, parent: reached, key, via });
    };
    forEachChild(reached, rootPath, push);
  }
}

/**
 * Calls `visit` with each value structured clone would read from `reached.value` (own enumerable
 * properties, array entries, Map keys and values, Set members). A getter or trap that throws becomes
 * a SerializationError naming the property.
 */
export function forEachChild(
  reached: Reached,
  rootPath: string,
  visit: (child: unknown, key: string | number | undefined, via: Reached['via']) => void,
): void {
  const { value } = reached;
  let key: string | number | undefined;
  try {
    if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value) {
        key = i++;
        visit(k, key, 'map-key');
        visit(v, key, 'map-value');
      }
    } else if (value instanceof Set) {
      let i = 0;
      for (const member of value) visit(member, i++, 'set');
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        key = i;
        visit(value[i], i, 'key');
      }
    } else if (!ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer) && !(value instanceof Date) && !(value instanceof RegExp)) {
      for (const k of Object.keys(value)) {
        key = k;
        visit((value as Record<string, unknown>)[k], k, 'key');
      }
    }
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    const at = key === undefined ? reached : { value, parent: reached, key, via: 'key' as const };
    throw new SerializationError(pathOf(at, rootPath), cause, GETTER_ADVICE);
  }
}

/** `args[0].list[2]`, `item.<map value 1>`: where `reached` sits under the root. */
export function pathOf(reached: Reached, rootPath: string): string {
  const parts: string[] = [];
  for (let at: Reached | undefined = reached; at?.parent !== undefined; at = at.parent) {
    const key = at.key;
    if (at.via === 'map-key') parts.push(`.<Map key ${String(key)}>`);
    else if (at.via === 'map-value') parts.push(`.<Map value ${String(key)}>`);
    else if (at.via === 'set') parts.push(`.<Set member ${String(key)}>`);
    else if (typeof key === 'number') parts.push(`[${key}]`);
    else parts.push(/^[A-Za-z_$][\w$]*$/.test(String(key)) ? `.${String(key)}` : `[${JSON.stringify(key)}]`);
  }
  return joinPath(rootPath, parts.reverse().join(''));
}

/** `args[0] of Process-1` and `.socket` make `args[0].socket of Process-1`; other roots get the suffix appended. */
export function joinPath(rootPath: string, suffix: string): string {
  const owned = /^((?:init)?args\[\d+\]) of (.+)$/s.exec(rootPath);
  return owned ? `${owned[1]}${suffix} of ${owned[2]}` : rootPath + suffix;
}

const PROXY_ADVICE = 'Pass the object the Proxy wraps (or a plain copy of it) instead.';
const GETTER_ADVICE = 'Reading it threw (a getter or Proxy trap); pass plain data instead.';
