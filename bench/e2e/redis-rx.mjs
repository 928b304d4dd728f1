// The seed's shape on the Redis backend with the Rx operators, as a whole program: 3 producers ->
// queue({ maxsize: 1000, backend: redis(url, { name }) }) -> 2 consumers, small items. The server's
// URL comes in RXMP_BENCH_REDIS_URL (it carries a password).
// `node bench/e2e/redis-rx.mjs 5000` prints the number of items consumed.
import { count, lastValueFrom } from 'rxjs';
import { consume, isMainModule, mergeProducers, producer, queue, redis } from 'rx-multiprocessing';

export function* produce(from, to) {
  for (let i = from; i < to; i++) yield `item${i}`;
}

export function eat(item) {
  return item.length;
}

if (isMainModule(import.meta.url)) {
  const n = Number(process.argv[2] ?? 5_000);
  const per = Math.ceil(n / 3);
  const backend = redis(process.env.RXMP_BENCH_REDIS_URL ?? '', { name: `seed-rx-${process.pid}-${Date.now()}` });
  const producers = [0, 1, 2].map((p) => producer(produce, { args: [p * per, Math.min(n, (p + 1) * per)] }));
  const consumed = await lastValueFrom(mergeProducers(...producers).pipe(queue({ maxsize: 1000, backend }), consume(eat, { processes: 2 }), count()));
  console.log(consumed);
}
