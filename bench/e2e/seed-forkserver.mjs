// seed-rx.mjs with spare processes: setStartMethod('forkserver'), the one line that differs.
// `node bench/e2e/seed-forkserver.mjs 20000` prints the number of items consumed; exits 78 if this
// build of the library has no forkserver start method.
import { count, lastValueFrom, tap } from 'rxjs';
import { consume, isMainModule, mergeProducers, producer, queue, setStartMethod } from 'rx-multiprocessing';
import { mark, tracing } from './trace.mjs';

export function* produce(from, to) {
  mark('producer-up');
  for (let i = from; i < to; i++) yield `item${i}`;
}

let first = true;
export function eat(item) {
  if (first) mark('first-consumed');
  first = false;
  return item.length;
}

export function consumerUp() {
  mark('consumer-up');
}

if (isMainModule(import.meta.url)) {
  mark('imported');
  let firstResult = true;
  try {
    setStartMethod('forkserver');
  } catch (error) {
    console.log(`unavailable: this build of rx-multiprocessing has no forkserver start method (${error.message})`);
    process.exit(78);
  }
  const n = Number(process.argv[2] ?? 20_000);
  const per = Math.ceil(n / 3);
  const producers = [0, 1, 2].map((p) => producer(produce, { args: [p * per, Math.min(n, (p + 1) * per)] }));
  mark('start');
  const consumed = await lastValueFrom(
    mergeProducers(...producers).pipe(
      queue({ maxsize: 1000 }),
      consume(eat, { processes: 2, ...(tracing ? { initializer: consumerUp } : {}) }),
      tap({ next: () => (firstResult ? mark('first-result') : undefined, (firstResult = false)) }),
      count(),
    ),
  );
  mark('complete');
  process.on('exit', () => mark('exit'));
  console.log(consumed);
}
