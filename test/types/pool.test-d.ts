// Type tests of Pool: results typed from the function's (awaited) return, args checked. Compiled, never run (see types.test.ts).
import { expectTypeOf } from 'expect-type';
import { Pool } from '../../src/index.js';

export function square(x: number): number {
  return x * x;
}
export async function fetchName(id: number, prefix: string): Promise<string> {
  return `${prefix}${id}`;
}
export function now(): Date {
  return new Date();
}
export function connect(url: string): void {
  void url;
}

const pool = new Pool({ processes: 2 });
expectTypeOf(pool.apply(square, [2])).toEqualTypeOf<Promise<number>>();
expectTypeOf(pool.applyAsync(fetchName, [1, 'n'])).toEqualTypeOf<Promise<string>>();
expectTypeOf(pool.run(fetchName, [1, 'n'], { signal: AbortSignal.timeout(1000) })).toEqualTypeOf<Promise<string>>();
expectTypeOf(pool.apply(now)).toEqualTypeOf<Promise<Date>>();
expectTypeOf(pool.run(now, undefined, { signal: new AbortController().signal })).toEqualTypeOf<Promise<Date>>();
expectTypeOf(pool.map(square, [1, 2, 3])).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(pool.starmap(fetchName, [[1, 'a'], [2, 'b']])).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(pool.imap(square, [1, 2])).toEqualTypeOf<AsyncIterable<number>>();
expectTypeOf(pool.imapUnordered(square, [1, 2])).toEqualTypeOf<AsyncIterable<number>>();
new Pool({ initializer: connect, initargs: ['db://'] });
new Pool({ signal: AbortSignal.timeout(60_000) });

// @ts-expect-error args left out while the function requires them
void pool.apply(square);
// @ts-expect-error a string for a number
void pool.apply(square, ['2']);
// @ts-expect-error one argument short
void pool.run(fetchName, [1]);
// @ts-expect-error strings mapped over a function of numbers
void pool.map(square, ['a']);
// @ts-expect-error an argument list of the wrong types
void pool.starmap(fetchName, [['a', 1]]);
// @ts-expect-error initargs do not match the initializer
new Pool({ initializer: connect, initargs: [1] });
// @ts-expect-error initargs left out while the initializer requires one
new Pool({ initializer: connect });
// @ts-expect-error a signal must be an AbortSignal
new Pool({ signal: 'stop' });
