// The seed's shape with the consumers on a Pool's warm workers: consume(eat, { pool }). The pool is
// created here, so its start-up is in the program's time, as a user's would be.
// `node bench/e2e/seed-pool.mjs 20000` prints the number of items consumed; exits 78 if this build
// of the library has no Pool.
import { count, lastValueFrom, tap } from 'rxjs';
import * as lib from 'rx-multiprocessing';
import { mark } from './trace.mjs';

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

/** Whether this worker ran eat(): a consume() that ignored `pool` ran it in children of its own. */
export function ateHere() {
  return !first;
}

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
