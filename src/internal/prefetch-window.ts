/**
 * A consumer's prefetch window after `items` items kept its process busy `busyMs` (whole
 * milliseconds; a queue proxy times one item, from its take to the next get, and a consume() child
 * times each run of items it reports). Prefetch only pays when processing an item is quicker than a
 * round trip to the owner; a slow consumer keeps a small window, so it never sits on items an idle
 * consumer could take. Under 1 ms an item doubles the window; 2 ms or more halves it; in between it
 * stays. For one item that is: a reading of 0 doubles, 2 or more halves, and 1, which could be
 * either, keeps it: halving on it made fast consumers (items of 10-100 µs straddle a millisecond tick
 * 1-10 % of the time) shrink the window under items already on their way and send them back to the
 * owner, which then held 1,487 items of a maxsize of 1,000.
 */
export function nextPrefetchWindow(window: number, busyMs: number, items = 1, min = 1, max = MAX_PREFETCH): number {
  if (items <= 0) return window; // no item timed, nothing learnt
  if (busyMs < items * FAST_ITEM_MS) return Math.min(max, window * 2);
  if (busyMs >= items * 2 * FAST_ITEM_MS) return Math.max(min, window >> 1);
  return window;
}

export const MAX_PREFETCH = 1024;
const FAST_ITEM_MS = 1;
