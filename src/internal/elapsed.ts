/**
 * Milliseconds from `since` to `now`, both Date.now() readings. The per-item paths (every put, every
 * get, every consumer result) time themselves with Date.now(), not performance.now(): their rules
 * need only milliseconds, and in a freshly started process, before this code is optimised,
 * performance.now() costs ~300 ns a call to Date.now()'s ~75. Date.now() is the wall clock, which
 * can be set back: the time elapsed is then unknown, and counts as long.
 */
export function elapsedMs(since: number, now: number = Date.now()): number {
  const elapsed = now - since;
  return elapsed >= 0 ? elapsed : Infinity;
}
