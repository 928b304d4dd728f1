// Type tests of Process: `args` checked against the target's parameters. Compiled, never run (see types.test.ts).
import { expectTypeOf } from 'expect-type';
import { JoinableQueue, Process, Queue, type Target } from '../../src/index.js';

export function square(x: number): number {
  return x * x;
}
export function greet(name: string, times?: number): string {
  return name.repeat(times ?? 1);
}
export function noArgs(): void {}
export function fillQueue(q: JoinableQueue<number>, n: number): void {
  void q;
  void n;
}
export function identity<T>(item: T): T {
  return item;
}

new Process({ target: square, args: [2] });
new Process({ target: greet, args: ['a'] });
new Process({ target: greet, args: ['a', 2] });
new Process({ target: noArgs });
new Process({ target: noArgs, args: [] });
new Process({ target: identity, args: [{ any: 'thing' }] });
new Process({ target: fillQueue, args: [new JoinableQueue<number>(), 3] });
new Process({ target: fillQueue, args: [new JoinableQueue<number>(), 3] as const });
new Process({ target: { module: './worker.js', export: 'work' }, args: [1, 'a', new Queue<string>()] });
new Process({ name: 'no target', daemon: true });
new Process();

// @ts-expect-error a string for a number parameter
new Process({ target: (a: number) => a, args: ['x'] });
// @ts-expect-error args left out while the target requires one
new Process({ target: square });
// @ts-expect-error one argument too many
new Process({ target: square, args: [1, 2] });
// @ts-expect-error a queue of strings for a queue of numbers
new Process({ target: fillQueue, args: [new JoinableQueue<string>(), 3] });

// A target typed Target (any function) takes any args: the escape hatch for code that handles targets generically.
const anyTarget: Target = square;
new Process({ target: anyTarget, args: ['not checked'] });

// Subclassing: run() overridden, no target.
export class Worker extends Process {
  override run(): void {}
}
const worker = new Worker({ name: 'w' });
expectTypeOf(worker).toExtend<Process>();
// A typed Process is still a Process.
const typed: Process = new Process({ target: square, args: [1] });
expectTypeOf(typed.exitCode).toEqualTypeOf<number | null>();
