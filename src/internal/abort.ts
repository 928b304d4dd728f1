import { showValue } from './show-value.js';

/**
 * The rejection of a wait cut short by its AbortSignal: a DOMException named 'AbortError', as Node's
 * own APIs (timers/promises, events.once, fs) reject, with the signal's reason as its `cause`.
 */
export function abortError(signal: AbortSignal, what: string): DOMException {
  return new DOMException(`${what} was aborted.`, { name: 'AbortError', cause: signal.reason });
}

// The `signal` option of `method`, validated: undefined or an AbortSignal.
export function readSignal(signal: unknown, method: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Expected \`signal\` of ${method} to be an AbortSignal, got \`${showValue(signal)}\` (${signal === null ? 'null' : typeof signal}). Pass an AbortController's \`signal\`, or AbortSignal.timeout(ms).`,
  );
}
