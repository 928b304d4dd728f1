// The CPU-bound task of the pool benchmark, in a module of its own so both pools load only it.
export function countPrimes(limit: number): number {
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
  return primes;
}
