// The seed's shape in worker threads: `context: 'thread'` runs each producer and consumer in a
// thread of this process instead of a child process. Same operators, same completion, backpressure
// and redelivery; a thread starts in milliseconds where a process takes tens. The consumer whose
// handler calls process.exit() on 'bone1' ends only its own thread: its items go to the other
// consumer and a replacement thread starts, as for a consumer process that exits. The handler runs
// in a thread: `process.pid` is this process's, `currentProcess().name` the consumer's own.
import { lastValueFrom, toArray } from 'rxjs';
import { consume, currentProcess, isMainModule, mergeProducers, producer, queue } from 'rx-multiprocessing';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function* bake(food: string): Generator<string> {
  for (let i = 0; i < 3; i++) yield `${food}${i}`;
}

export function eat(item: string, marker: string): string {
  // Once only, so that the item is handled by the consumer that takes it next.
  if (item === 'bone1' && !existsSync(marker)) {
    writeFileSync(marker, '');
    process.exit(3);
  }
  return `${currentProcess().name} (pid ${process.pid}) ate ${item}`;
}

if (isMainModule(import.meta.url)) {
  const marker = join(tmpdir(), `rxmp-thread-example-${process.pid}`);
  const started = performance.now();
  const eaten = await lastValueFrom(
    mergeProducers(producer<string>(bake, { args: ['bun'], context: 'thread' }), producer<string>(bake, { args: ['bone'], context: 'thread' })).pipe(
      queue({ maxsize: 4 }),
      consume<string, string>(eat, { name: 'alex', processes: 2, args: [marker], context: 'thread' }),
      toArray(),
    ),
  );
  rmSync(marker, { force: true });
  for (const line of eaten.sort()) console.log(line);
  console.log(`${eaten.length} items in ${(performance.now() - started).toFixed(0)} ms, main pid ${process.pid}; the process exits by itself`);
}
