// seed-thread.mjs with its targets in a module of their own (seed-targets.mjs), as seed-rx-split.mjs:
// the worker threads do not load RxJS. `node bench/e2e/seed-thread-split.mjs 20000` prints the number
// of items consumed; exits 78 if this build of the library has no thread context.
import { count, lastValueFrom, tap } from 'rxjs';
import { consume, isMainModule, mergeProducers, producer, queue, setStartMethod } from 'rx-multiprocessing';
import { consumerUp, eatChecked as eat, produce } from './seed-targets.mjs';
import { mark, tracing } from './trace.mjs';

if (isMainModule(import.meta.url)) {
  mark('imported');
  let firstResult = true;
  let notInThread = false;
  try {
    // Only a probe: the pipeline below asks for threads itself, with the per-operator option.
    setStartMethod(setStartMethod('thread'));
  } catch (error) {
    console.log(`unavailable: this build of rx-multiprocessing has no thread context (${error.message})`);
    process.exit(78);
  }
  const n = Number(process.argv[2] ?? 20_000);
  const per = Math.ceil(n / 3);
  const producers = [0, 1, 2].map((p) => producer(produce, { context: 'thread', args: [p * per, Math.min(n, (p + 1) * per)] }));
  mark('start');
  const consumed = await lastValueFrom(
    mergeProducers(...producers).pipe(
      queue({ maxsize: 1000 }),
      consume(eat, { context: 'thread', processes: 2, ...(tracing ? { initializer: consumerUp } : {}) }),
      tap({ next: (length) => ((firstResult ? mark('first-result') : undefined), (firstResult = false), (notInThread ||= length === -1)) }),
      count(),
    ),
  );
  mark('complete');
  if (notInThread) {
    console.log("unavailable: consume() ignores context: 'thread' in this build (items were eaten outside a worker thread)");
    process.exit(78);
  }
  process.on('exit', () => mark('exit'));
  console.log(consumed);
}
