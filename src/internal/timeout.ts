import { showValue } from './show-value.js';

// Python's timeout rules in milliseconds: undefined/null = forever, negative = 0, NaN or non-number = TypeError.
export function normalizeTimeout(timeout: unknown, what: string): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(
      `Expected \`${what}\` timeout to be a number of milliseconds, null or undefined, got \`${typeof timeout === 'string' ? timeout : showValue(timeout)}\` (${typeof timeout}).`,
    );
  }
  return timeout < 0 ? 0 : timeout;
}

// setTimeout caps at 2^31-1 ms; longer waits are as good as forever.
export const MAX_TIMER_MS = 2 ** 31 - 1;
