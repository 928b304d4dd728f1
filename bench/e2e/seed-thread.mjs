// The seed's shape with the Rx operators on worker threads: context: 'thread' on the producers and
// the consumers. `node bench/e2e/seed-thread.mjs 20000` prints the number of items consumed; exits
// 78 if this build of the library has no thread context.
import { count, lastValueFrom, tap } from 'rxjs';
import { consume, isMainModule, mergeProducers, producer, queue, setStartMethod } from 'rx-multiprocessing';
import { mark, tracing } from './trace.mjs';

export function* produce(from, to) {
  mark('producer-up');
  for (let i = from; i < to; i++) yield `item${i}`;
}

const CHECK = process.env.RXMP_E2E_CHECK === '1';
let first = true;
export function eat(item) {
  if (first) mark('first-consumed');
  first = false;
  // Checked once per variant: -1 says the item was not eaten on a worker thread.
  return CHECK && process.getBuiltinModule('node:worker_threads').isMainThread ? -1 : item.length;
}

export function consumerUp() {
  mark('consumer-up');
}

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
