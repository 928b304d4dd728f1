// One-off tasks as a whole program: a Pool of 2 workers, 100 sequential `await pool.apply(fn, [x])`,
// then close and join. `node bench/e2e/oneoff-pool.mjs process|thread` prints the sum of the results;
// exits 78 if this build of the library has no Pool (or no thread context).
import * as lib from 'rx-multiprocessing';
import { double } from './oneoff-task.mjs';

export function runsInThread() {
  return !process.getBuiltinModule('node:worker_threads').isMainThread;
}

if (lib.isMainModule(import.meta.url)) {
  const context = process.argv[2] ?? 'process';
  if (typeof lib.Pool !== 'function') {
    console.log('unavailable: this build of rx-multiprocessing exports no Pool');
    process.exit(78);
  }
  let pool;
  try {
    pool = new lib.Pool({ processes: 2, context });
  } catch (error) {
    console.log(`unavailable: new Pool({ context: '${context}' }) threw: ${error.message}`);
    process.exit(78);
  }
  let sum = 0;
  for (let x = 0; x < 100; x++) sum += await pool.apply(double, [x]);
  if (process.env.RXMP_E2E_CHECK === '1' && (await pool.apply(runsInThread, [])) !== (context === 'thread')) {
    console.log(`unavailable: Pool ignores context: '${context}'`);
    process.exit(78);
  }
  pool.close();
  await pool.join();
  console.log(sum);
}
