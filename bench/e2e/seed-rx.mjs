// The seed's shape (3 producers -> queue(1000) -> 2 consumers, small items) as a user writes it with
// the Rx operators: `node bench/e2e/seed-rx.mjs 20000` prints the number of items consumed.
// `node bench/e2e/seed-rx.mjs 20000 forkserver` runs it with setStartMethod('forkserver') first, the
// one line a user adds for spare processes.
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
  const n = Number(process.argv[2] ?? 20_000);
  if (process.argv[3]) setStartMethod(process.argv[3]);
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
