// Rx pipeline throughput: producer(s) -> queue({ maxsize: 1000 }) -> consume(identity, 2 processes),
// end to end including the forks, until the output completes. Compiled library, plain node:
//   npm run build && node bench/pipeline-throughput.mjs [--producers 1|3] [--n 200000] [--size small|1k] [--runs 3]
import { lastValueFrom, merge, count } from 'rxjs';
import { consume, isMainModule, producer, queue } from 'rx-multiprocessing';

const PAD_1K = 'x'.repeat(1016);

export function* items(from, to, size) {
  if (size === 'small') for (let i = from; i < to; i++) yield `item${i}`;
  else for (let i = from; i < to; i++) yield `${PAD_1K}${String(i).padStart(8, '0')}`;
}

export function identity(item) {
  return item.length;
}

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

if (isMainModule(import.meta.url)) {
  const producers = Number(arg('producers', 1));
  const n = Number(arg('n', 200_000));
  const size = arg('size', 'small');
  const runs = Number(arg('runs', 3));
  const rates = [];
  for (let r = 0; r < runs; r++) {
    const per = Math.ceil(n / producers);
    const sources = Array.from({ length: producers }, (_, p) => producer(items, { args: [p * per, Math.min(n, (p + 1) * per), size] }));
    const t0 = process.hrtime.bigint();
    const seen = await lastValueFrom(merge(...sources).pipe(queue({ maxsize: 1000 }), consume(identity, { processes: 2, prefetch: 256 }), count()));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (seen !== n) throw new Error(`expected ${n} results, got ${seen}`);
    rates.push(n / seconds);
  }
  rates.sort((a, b) => a - b);
  console.log(JSON.stringify({ producers, n, size, runs, itemsPerS: Math.round(rates[Math.floor(runs / 2)]), min: Math.round(rates[0]), max: Math.round(rates[runs - 1]) }));
}
