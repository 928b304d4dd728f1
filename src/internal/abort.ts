import { showValue } from './show-value.js';

/**
 * The rejection of a wait cut short by its AbortSignal: a DOMException named 'AbortError', as Node's
 * own APIs (timers/promises, events.once, fs) reject, with the signal's reason as its `cause`.
 */
export function abortError(signal: AbortSignal, message: string): DOMException {
  return new DOMException(message, { name: 'AbortError', cause: signal.reason });
}

/**
 * Reads the named fields of an options object once; an object whose reading throws (a Proxy, a
 * getter) is a TypeError naming the method, not the object's own error.
 */
export function readFields<K extends string>(options: object, keys: readonly K[], method: string): Record<K, unknown> & { readonly has: (key: K) => boolean } {
  try {
    const fields = {} as Record<K, unknown>;
    const present = new Set<K>();
    for (const key of keys) {
      if (!(key in options)) continue;
      present.add(key);
      fields[key] = (options as Record<K, unknown>)[key];
    }
    return Object.assign(fields, { has: (key: K) => present.has(key) });
  } catch (cause) {
    throw new TypeError(`Reading the options of ${method} threw: ${cause instanceof Error ? cause.message : showValue(cause)}. Pass a plain { ${keys.join(', ')} } object.`, { cause });
  }
}

// The `signal` option of `method`, validated: undefined or an AbortSignal.
export function readSignal(signal: unknown, method: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Expected \`signal\` of ${method} to be an AbortSignal, got \`${showValue(signal)}\` (${signal === null ? 'null' : typeof signal}). Pass an AbortController's \`signal\`, or AbortSignal.timeout(ms).`,
  );
}
