// Seed part 8 — subclassing Process and overriding run(). Prints `InWorker-1` … `InWorker-5`, exactly
// what the seed's `print("In{}".format(self.name))` prints (no space), in any order.
// Why it differs from Python: the class must be exported, because the child imports this module and
// rebuilds the instance from it (without calling its constructor, as unpickling does); join() is awaited.
import { Process, isMainModule } from 'rx-multiprocessing';

export class Worker extends Process {
  override run(): void {
    console.log(`In${this.name}`);
  }
}

async function main(): Promise<void> {
  const jobs: Worker[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Worker();
    jobs.push(p);
    p.start();
  }
  for (const j of jobs) await j.join();
}

if (isMainModule(import.meta.url)) await main();
