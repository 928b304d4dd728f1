// Summaries of repeated measurements.

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? NaN, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: values.length };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** A 1 KiB item: 1,016 x's and an 8-digit index (distinct per item), or a small `item<i>` string. */
export function makeItem(size: 'small' | '1k', i: number): string {
  return size === 'small' ? `item${i}` : `${PAD_1K}${String(i).padStart(8, '0')}`;
}

const PAD_1K = 'x'.repeat(1016);
