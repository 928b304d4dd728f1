// seed-rx.mjs with its targets in a module of their own (seed-targets.mjs) that does not import RxJS,
// so the children skip loading it: the same program otherwise.
// `node bench/e2e/seed-rx-split.mjs 20000` prints the number of items consumed.
import { count, lastValueFrom, tap } from 'rxjs';
import { consume, isMainModule, mergeProducers, producer, queue } from 'rx-multiprocessing';
import { consumerUp, eat, produce } from './seed-targets.mjs';
import { mark, tracing } from './trace.mjs';

if (isMainModule(import.meta.url)) {
  mark('imported');
  let firstResult = true;
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
