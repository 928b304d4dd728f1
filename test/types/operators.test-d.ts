// Type tests of producer() and consume(): item, result and argument types come from the functions.
// Compiled, never run (see types.test.ts).
import { expectTypeOf } from 'expect-type';
import { from, of, type Observable, type OperatorFunction } from 'rxjs';
import { JoinableQueue, Queue, consume, producer, type Target } from '../../src/index.js';

export function square(x: number): number {
  return x * x;
}
export async function describe(x: number): Promise<string> {
  return String(x);
}
export function scale(x: number, factor: number): number {
  return x * factor;
}
export function identity<T>(item: T): T {
  return item;
}
export function* count(prefix: string, n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield `${prefix}${i}`;
}
export async function* ticks(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}
export function tens(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i * 10);
}
export async function answer(): Promise<{ answer: number }> {
  return { answer: 42 };
}
export function dates(): Observable<Date> {
  return of(new Date());
}
export function word(): string {
  return 'one item, not three';
}
export function nothing(): void {}
export async function fill(q: Queue<string>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await q.put(`put:${i}`);
}
export async function* eat(q: JoinableQueue<string>, tag: string): AsyncGenerator<number> {
  for (;;) {
    const item = await q.get();
    yield item.length + tag.length;
    q.taskDone();
  }
}
export function init(url: string, retries: number): void {
  void url;
  void retries;
}

// consume(): the handler types the operator.
expectTypeOf(consume(square)).toEqualTypeOf<OperatorFunction<number, number>>();
expectTypeOf(consume(describe)).toEqualTypeOf<OperatorFunction<number, string>>();
expectTypeOf(consume(scale, { args: [2] })).toEqualTypeOf<OperatorFunction<number, number>>();
expectTypeOf(from([1, 2]).pipe(consume(identity))).toEqualTypeOf<Observable<number>>();
expectTypeOf(from([1, 2]).pipe(consume(square), consume(describe))).toEqualTypeOf<Observable<string>>();
expectTypeOf(consume(eat, { taskDone: 'manual', args: ['t'] })).toEqualTypeOf<OperatorFunction<string, number>>();
consume(square, { initializer: init, initargs: ['db://', 3] });
// Explicit types are checked against the handler.
expectTypeOf(consume<number, number>(square)).toEqualTypeOf<OperatorFunction<number, number>>();
// A { module, export } handler is untyped unless told.
expectTypeOf(consume({ module: './h.js', export: 'h' })).toEqualTypeOf<OperatorFunction<unknown, unknown>>();
expectTypeOf(consume<string, Date>({ module: './h.js', export: 'h' }, { args: [1] })).toEqualTypeOf<OperatorFunction<string, Date>>();

// @ts-expect-error the handler takes numbers, not strings
consume<string, number>(square);
// @ts-expect-error the handler returns a number, not a string
consume<number, string>(square);
// @ts-expect-error strings piped into a handler of numbers
of('a').pipe(consume(square));
// @ts-expect-error args left out while the handler requires one after the item
consume(scale);
// @ts-expect-error a string for the number the handler takes after the item
consume(scale, { args: ['2'] });
// @ts-expect-error args for a handler that takes none after the item
consume(square, { args: [1] });
// @ts-expect-error initargs do not match the initializer
consume(square, { initializer: init, initargs: ['db://', 'three'] });
// @ts-expect-error initargs left out while the initializer requires them
consume(square, { initializer: init });
// @ts-expect-error a manual target takes a queue of numbers, and gets a queue of strings
of(1).pipe(consume(eat, { taskDone: 'manual', args: ['t'] }));
// @ts-expect-error the explicit item type does not match the manual target's queue
consume<number, number>(eat, { taskDone: 'manual', args: ['t'] });

// producer(): the target types the items.
expectTypeOf(producer(count, { args: ['p', 3] })).toEqualTypeOf<Observable<string>>();
expectTypeOf(producer(ticks, { args: [3] })).toEqualTypeOf<Observable<number>>();
expectTypeOf(producer(tens, { args: [3] })).toEqualTypeOf<Observable<number>>();
expectTypeOf(producer(answer)).toEqualTypeOf<Observable<{ answer: number }>>();
expectTypeOf(producer(dates)).toEqualTypeOf<Observable<Date>>();
expectTypeOf(producer(word)).toEqualTypeOf<Observable<string>>();
expectTypeOf(producer(nothing)).toEqualTypeOf<Observable<never>>();
expectTypeOf(producer(fill, { queue: true, args: [3] })).toEqualTypeOf<Observable<string>>();
expectTypeOf(producer(count, { args: ['p', 3] }).pipe(consume((s: string) => s.length))).toEqualTypeOf<Observable<number>>();
// Explicit types are checked against what the target produces.
expectTypeOf(producer<string>(count, { args: ['p', 3] })).toEqualTypeOf<Observable<string>>();
expectTypeOf(producer<string>(fill, { queue: true, args: [3] })).toEqualTypeOf<Observable<string>>();
expectTypeOf(producer({ module: './p.js', export: 'p' })).toEqualTypeOf<Observable<unknown>>();
expectTypeOf(producer<number>({ module: './p.js', export: 'p' }, { args: ['x'] })).toEqualTypeOf<Observable<number>>();

// @ts-expect-error args left out while the target requires them
producer(count);
// @ts-expect-error a number for the string prefix
producer(count, { args: [1, 3] });
// @ts-expect-error one argument too many
producer(ticks, { args: [3, 4] });
// @ts-expect-error the queue filler's args left out
producer(fill, { queue: true });
// @ts-expect-error the target yields strings, not numbers
producer<number>(count, { args: ['p', 3] });
// @ts-expect-error the target fills a queue of strings, not numbers
producer<number>(fill, { queue: true, args: [3] });
// @ts-expect-error strings are not numbers
const numbers: Observable<number> = producer(count, { args: ['p', 3] });
void numbers;

// A target typed Target (any function) is the escape hatch: anything goes, nothing is known.
const anyTarget: Target = square;
expectTypeOf(producer(anyTarget, { args: ['unchecked'] })).toEqualTypeOf<Observable<unknown>>();
