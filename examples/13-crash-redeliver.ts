// A consumer crashes mid-stream (it kills itself on one item, once); the items it held are
// redelivered to the surviving consumer, so every item is still processed — at-least-once.
// With `onConsumerExit: 'error'` the output would instead fail with ConsumerExitedError, counting
// the lost items. Never a silent loss, never a hang.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, range, toArray } from 'rxjs';
import { consume, currentProcess, isMainModule } from 'rx-multiprocessing';

export async function process_(item: number, marker: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (item === 7 && !existsSync(marker)) {
    writeFileSync(marker, 'crashed once');
    console.log(`${currentProcess().name} crashes on item ${item}`);
    process.kill(process.pid, 'SIGKILL');
  }
  return `${item} by ${currentProcess().name}`;
}

if (isMainModule(import.meta.url)) {
  const marker = join(tmpdir(), `rxmp-crash-demo-${process.pid}`);
  const results = await lastValueFrom(range(0, 20).pipe(consume<number, string>(process_, { processes: 2, args: [marker], ordered: true }), toArray()));
  rmSync(marker, { force: true });
  console.log(results.join('\n'));
  console.log(`${results.length} of 20 items processed`);
}
