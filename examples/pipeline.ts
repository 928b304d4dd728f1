// The main demo (`npm start`): the seed's JoinableQueue story (part 11) as an RxJS pipeline.
// Three producer processes (egon1..3) bake 包子, 骨头 and 泔水; a bounded queue holds what is baked;
// two daemon consumer processes (alex1, alex2) eat it. The output completes when every item has been
// eaten (taskDone/join), the daemon consumers are terminated at once, and main prints 主process.
// mergeProducers (rather than RxJS's merge) lets the baked items go from the bakers to the eaters
// through a queue of this process that never decodes them, as the seed's JoinableQueue does.
// Sleeps are the seed's 1–3 s scaled to 0.1–0.3 s (seed-timing.ts).
import { lastValueFrom } from 'rxjs';
import { consume, currentProcess, getLogger, isMainModule, logToStderr, mergeProducers, producer, queue } from 'rx-multiprocessing';
import { seedPause } from './seed-timing.js';

export async function* bake(food: string): AsyncGenerator<string> {
  for (let i = 0; i < 3; i++) {
    await seedPause();
    const res = `${food}${i}`;
    getLogger().info('生产了 %s', res);
    yield res; // taken only when the queue has room
  }
}

export async function eat(res: string): Promise<string> {
  await seedPause();
  getLogger().info('吃 %s', res);
  return `${currentProcess().name} 吃 ${res}`;
}

if (isMainModule(import.meta.url)) {
  logToStderr('info');
  await lastValueFrom(
    mergeProducers(
      producer<string>(bake, { name: 'egon1', args: ['包子'] }),
      producer<string>(bake, { name: 'egon2', args: ['骨头'] }),
      producer<string>(bake, { name: 'egon3', args: ['泔水'] }),
    ).pipe(
      queue({ maxsize: 4 }),
      consume<string, string>(eat, { name: 'alex', processes: 2, daemon: true }),
    ),
    { defaultValue: undefined },
  );
  console.log('主process');
}
