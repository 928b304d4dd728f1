// The JSDoc examples of the typing helpers, compiled as written. Compiled, never run (see types.test.ts).
import { expectTypeOf } from 'expect-type';
import type { ArgsOption, ExplicitType, InitargsOption, OptionsArgument, ProcessBaseOptions, ProcessOptions, ProducedItem } from '../../src/index.js';

export function scale(x: number, factor = 2): number {
  return x * factor;
}
export function work(n: number): void {
  void n;
}
const args: ArgsOption<Parameters<typeof scale>> = { args: [3] };
// @ts-expect-error x is required, so args are
const noArgs: ArgsOption<Parameters<typeof scale>> = {};
const base: ProcessBaseOptions = { name: 'indexer', daemon: true };
const typed: ProcessOptions<[n: number]> = { target: work, args: [1] };
const byName: ProcessOptions = { target: { module: './work.js', export: 'work' }, args: [1] };
const init: InitargsOption<[url: string]> = { initargs: ['db://'] };
expectTypeOf<OptionsArgument<{ args: [number] }, [n: number]>>().toEqualTypeOf<[options: { args: [number] }]>();
expectTypeOf<OptionsArgument<{ name?: string }, []>>().toEqualTypeOf<[options?: { name?: string }]>();
expectTypeOf<ExplicitType<string>>().toEqualTypeOf<string>();
expectTypeOf<ProducedItem<AsyncGenerator<number>>>().toEqualTypeOf<number>();
expectTypeOf<ProducedItem<{ id: number }[]>>().toEqualTypeOf<{ id: number }>();
expectTypeOf<ProducedItem<string>>().toEqualTypeOf<string>();
expectTypeOf<ProducedItem<undefined>>().toEqualTypeOf<never>();
void [args, noArgs, base, typed, byName, init];
