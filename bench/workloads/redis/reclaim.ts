// How soon a killed consumer child's items reach another consumer (issue 21: <= 100 ms): child A takes
// ITEMS items of a Redis-backed JoinableQueue and holds them; child B waits in get() on the same queue
// with nothing left for it; A is SIGKILLed by pid, and B reports when the first of A's items reaches
// it. Both clocks are this machine's epoch clock (performance.timeOrigin + now) in ms.
import { JoinableQueue, Process, Queue, redis } from 'rx-multiprocessing';
import { holdItems, reportFirstItem } from './ours-targets.js';

/** ms from A's SIGKILL to B holding one of A's items. */
export async function runReclaim(url: string): Promise<number> {
  const backend = redis(url, { name: `reclaim-${process.pid}-${Date.now()}`, deadAfter: DEAD_AFTER_MS });
  const jobs = new JoinableQueue<number>(0, { backend });
  // The bench's own signals, not part of what is measured: local even where RXMP_REDIS_URL is set.
  const taken = new Queue<number>(0, { backend: 'local' });
  const up = new Queue<boolean>(0, { backend: 'local' });
  const got = new Queue<number>(0, { backend: 'local' });
  const holder = new Process({ target: holdItems, args: [jobs, ITEMS, taken] });
  const waiter = new Process({ target: reportFirstItem, args: [jobs, up, got], daemon: true });
  try {
    for (let i = 0; i < ITEMS; i++) await jobs.put(i);
    holder.start();
    await taken.get({ timeout: STEP_TIMEOUT_MS });
    waiter.start();
    await up.get({ timeout: STEP_TIMEOUT_MS });
    // B is in get() now, or about to be: it finds nothing until A's items come back.
    const killedAt = performance.timeOrigin + performance.now();
    process.kill(holder.pid as number, 'SIGKILL');
    const receivedAt = await got.get({ timeout: STEP_TIMEOUT_MS });
    await jobs.join();
    return receivedAt - killedAt;
  } finally {
    if (holder.isAlive()) holder.kill();
    if (waiter.isAlive()) waiter.terminate();
    await Promise.all([holder.join(), waiter.join()]);
    for (const q of [jobs, taken, up, got]) q.close();
  }
}

const ITEMS = 10;
// Far beyond the figure: only the parent's reaction to its child's exit can meet the target, not the heartbeat deadline.
const DEAD_AFTER_MS = 30_000;
const STEP_TIMEOUT_MS = 20_000;
