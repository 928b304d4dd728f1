import { inspect } from 'node:util';

/** `item #<seq> (<value, shortened>)`, for an error message. */
export function describeItem(seq: number | undefined, item: unknown): string {
  const value = inspect(item, { depth: 2, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60 });
  const short = value.length > MAX_SUMMARY ? `${value.slice(0, MAX_SUMMARY)}…` : value;
  return seq === undefined ? `item ${short}` : `item #${seq} (${short})`;
}

const MAX_SUMMARY = 80;
