// seed-pool.mjs with its targets in a module of their own (seed-targets.mjs), as seed-rx-split.mjs:
// the children do not load RxJS, and the pipeline does not depend on the pool's workers importing
// the program itself. `node bench/e2e/seed-pool-split.mjs 20000` prints the number of items consumed.
import { count, lastValueFrom, tap } from 'rxjs';
import * as lib from 'rx-multiprocessing';
import { ateHere, eat, produce } from './seed-targets.mjs';
import { mark } from './trace.mjs';

if (lib.isMainModule(import.meta.url)) {
  mark('imported');
  let firstResult = true;
  if (typeof lib.Pool !== 'function') {
    console.log('unavailable: this build of rx-multiprocessing exports no Pool');
    process.exit(78);
  }
  const n = Number(process.argv[2] ?? 20_000);
  const per = Math.ceil(n / 3);
  mark('start');
  const pool = new lib.Pool({ processes: 2 });
  const producers = [0, 1, 2].map((p) => lib.producer(produce, { args: [p * per, Math.min(n, (p + 1) * per)] }));
  const consumed = await lastValueFrom(
    lib.mergeProducers(...producers).pipe(
      lib.queue({ maxsize: 1000 }),
      lib.consume(eat, { pool }),
      tap({ next: () => (firstResult ? mark('first-result') : undefined, (firstResult = false)) }),
      count(),
    ),
  );
  mark('complete');
  if (process.env.RXMP_E2E_CHECK === '1') {
    const ate = await pool.map(ateHere, [0, 1, 2, 3, 4, 5, 6, 7], { chunksize: 1 });
    if (!ate.includes(true)) {
      console.log("unavailable: consume() ignores { pool } in this build (the pool's workers ran no item)");
      process.exit(78);
    }
  }
  pool.close();
  await pool.join();
  process.on('exit', () => mark('exit'));
  console.log(consumed);
}
