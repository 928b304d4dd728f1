// The seed's JoinableQueue story (part 11) across machines: the same pipeline as `npm start`
// (examples/pipeline.ts), with its queue in Redis. Three bakers here put 包子, 骨头 and 泔水 into a
// queue of 4 in Redis; one eater runs here, and the others run in two `rx-multiprocessing worker`
// processes, which could be on other machines. The output completes when every item is eaten; each
// line says which process, on which machine, ate it.
//
//   node --import tsx examples/redis-pipeline.ts                 starts a throwaway redis-server and
//                                                                two workers itself (the demo)
//   node --import tsx examples/redis-pipeline.ts redis://HOST    uses that server, and the workers
//                                                                you started (README: "Pipelines
//                                                                across machines")
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import { consume, currentProcess, isMainModule, mergeProducers, producer, queue, redis } from 'rx-multiprocessing';
import { seedPause } from './seed-timing.js';

export async function* bake(food: string): AsyncGenerator<string> {
  for (let i = 0; i < 3; i++) {
    await seedPause();
    yield `${food}${i}`; // taken only when the queue in Redis has room
  }
}

export async function eat(res: string): Promise<string> {
  await seedPause();
  return `${currentProcess().name} (pid ${process.pid} on ${hostname()}) 吃 ${res}`;
}

// The demo's own server and workers, as a user would start them: `npx rx-multiprocessing worker`.
async function startDemo(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { startRedisServer } = await import('../scripts/redis-server.js');
  const server = await startRedisServer();
  // The package's own command (`npx rx-multiprocessing` in an app that installed it): the same copy
  // of the library this module imports, built by `npm run build`.
  const cli = fileURLToPath(import.meta.resolve('rx-multiprocessing').replace(/index\.js$/, 'cli/main.js'));
  const workers: ChildProcess[] = [1, 2].map(() =>
    spawn(process.execPath, ['--import', 'tsx', cli, 'worker', '--name', 'bakery', '--module', fileURLToPath(import.meta.url), '--processes', '1', '--once'], {
      stdio: 'inherit',
      // The URL (its password too) travels in the environment, not on a command line `ps` shows.
      env: { ...process.env, RXMP_REDIS_URL: server.url },
    }),
  );
  const exited = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
  return {
    url: server.url,
    stop: async () => {
      await Promise.all(exited); // --once: each leaves when the pipeline ends
      await server.stop();
    },
  };
}

if (isMainModule(import.meta.url)) {
  const demo = process.argv[2] ? undefined : await startDemo();
  const url = process.argv[2] ?? (demo as { url: string }).url;
  const eaten = await lastValueFrom(
    mergeProducers(
      producer<string>(bake, { name: 'egon1', args: ['包子'] }),
      producer<string>(bake, { name: 'egon2', args: ['骨头'] }),
      producer<string>(bake, { name: 'egon3', args: ['泔水'] }),
    ).pipe(
      queue({ maxsize: 4, backend: redis(url, { name: 'bakery' }) }),
      consume<string, string>(eat, { name: 'alex', processes: 1 }),
      toArray(),
    ),
  );
  for (const line of eaten) console.log(line);
  await demo?.stop();
  console.log('主process');
}
