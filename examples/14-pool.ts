// Python's `multiprocessing.Pool`: workers started once and reused. map() keeps the input order,
// imapUnordered() yields as results come, apply() runs one call, and `consume(fn, { pool })` runs a
// whole pipeline on the same warm workers — a second pipeline starts no process. `await using`
// terminates the pool at the end of the block (Python's `with Pool() as pool:`).
import { from, lastValueFrom, toArray } from 'rxjs';
import { Pool, consume, isMainModule } from 'rx-multiprocessing';

export function square(x: number): number {
  return x * x;
}

export function slowSquare(x: number): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(x * x), 50 * (4 - x)));
}

export function whoRuns(x: number): string {
  return `${x} in pid ${process.pid}`;
}

if (isMainModule(import.meta.url)) {
  await using pool = new Pool({ processes: 2 });
  console.log('map:', await pool.map(square, [1, 2, 3, 4, 5]));
  const unordered: number[] = [];
  for await (const value of pool.imapUnordered(slowSquare, [1, 2, 3])) unordered.push(value);
  console.log('imapUnordered (the slowest last):', unordered);
  console.log('apply:', await pool.apply(square, [12]));
  for (const round of [1, 2]) {
    const started = performance.now();
    const out = await lastValueFrom(from([1, 2, 3, 4]).pipe(consume<number, string>(whoRuns, { pool, ordered: true }), toArray()));
    console.log(`pipeline ${round} on the warm workers (${(performance.now() - started).toFixed(0)} ms):`, out.join(', '));
  }
}
