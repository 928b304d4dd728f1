// A CPU-heavy map over 4 processes with ordered results: counting the primes below each limit.
// consume() spreads the items over the processes (each holds at most `prefetch` items, so a slow
// item never blocks the others) and `ordered: true` emits the results in the source's order.
import { from, lastValueFrom, toArray } from 'rxjs';
import { consume, isMainModule } from 'rx-multiprocessing';

export function countPrimes(limit: number): { limit: number; primes: number } {
  let primes = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes++;
  }
  return { limit, primes };
}

if (isMainModule(import.meta.url)) {
  const limits = [400_000, 50_000, 300_000, 10_000, 200_000, 100_000, 250_000, 20_000];
  const started = Date.now();
  const results = await lastValueFrom(from(limits).pipe(consume<number, { limit: number; primes: number }>(countPrimes, { processes: 4, prefetch: 1, ordered: true }), toArray()));
  for (const { limit, primes } of results) console.log(`${String(limit).padStart(7)}: ${primes} primes`);
  console.log(`in ${Date.now() - started} ms over 4 processes`);
}
