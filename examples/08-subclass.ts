// Seed part 8 — a Process subclass overriding run(). The class must be exported: the child imports
// it and rebuilds the instance (without calling its constructor, as unpickling does).
import { Process, isMainModule } from 'rx-multiprocessing';

export class Worker extends Process {
  override run(): void {
    console.log(`In${this.name}`);
  }
}

if (isMainModule(import.meta.url)) {
  const jobs: Worker[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new Worker();
    jobs.push(p);
    p.start();
  }
  for (const j of jobs) await j.join();
}
