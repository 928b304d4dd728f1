// How soon a killed consumer's items reach another consumer. Consumer A takes ITEMS items of a
// Redis-backed JoinableQueue and holds them; child B waits in get() on the same queue with nothing
// left for it; A is SIGKILLed by pid, and B reports when the first of A's items reaches it. Both
// clocks are this machine's epoch clock (performance.timeOrigin + now) in ms.
// - 'child': A is a child Process of this one, which sees it exit (issue 21: <= 100 ms).
// - 'unseen': A is a program no process of the bench is the parent of, as on another machine: only
//   the heartbeat deadline (deadAfter) tells B (issue 21: <= deadAfter + 2 s).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { JoinableQueue, Process, Queue, redis } from 'rx-multiprocessing';
import { e2eProgram } from '../e2e.js';
import { holdItems, reportFirstItem } from './ours-targets.js';

export type ReclaimKind = 'child' | 'unseen';

/** ms from A's SIGKILL to B holding one of A's items. */
export async function runReclaim(url: string, kind: ReclaimKind): Promise<number> {
  const name = `reclaim-${process.pid}-${Date.now()}`;
  const deadAfter = kind === 'child' ? CHILD_DEAD_AFTER_MS : UNSEEN_DEAD_AFTER_MS;
  const jobs = new JoinableQueue<number>(0, { backend: redis(url, { name, deadAfter }) });
  // The bench's own signals, not part of what is measured: local even where RXMP_REDIS_URL is set.
  const taken = new Queue<number>(0, { backend: 'local' });
  const up = new Queue<boolean>(0, { backend: 'local' });
  const got = new Queue<number>(0, { backend: 'local' });
  const holder = kind === 'child' ? new Process({ target: holdItems, args: [jobs, ITEMS, taken] }) : undefined;
  let program: ChildProcess | undefined;
  const waiter = new Process({ target: reportFirstItem, args: [jobs, up, got], daemon: true });
  try {
    for (let i = 0; i < ITEMS; i++) await jobs.put(i);
    if (holder) {
      holder.start();
      await taken.get({ timeout: STEP_TIMEOUT_MS });
    } else program = await startHolder(url, name, deadAfter);
    waiter.start();
    await up.get({ timeout: STEP_TIMEOUT_MS });
    // B is in get() now, or about to be: it finds nothing until A's items come back.
    const killedAt = performance.timeOrigin + performance.now();
    process.kill((holder?.pid ?? program?.pid) as number, 'SIGKILL');
    const receivedAt = await got.get({ timeout: STEP_TIMEOUT_MS });
    await jobs.join();
    return receivedAt - killedAt;
  } finally {
    if (holder?.isAlive()) holder.kill();
    if (program && program.exitCode === null && program.signalCode === null) {
      const exited = once(program, 'exit');
      process.kill(program.pid as number, 'SIGKILL');
      await exited;
    }
    if (waiter.isAlive()) waiter.terminate();
    await Promise.all([holder?.join(), waiter.join()]);
    for (const q of [jobs, taken, up, got]) q.close();
  }
}

// bench/e2e/redis-holder.mjs, once it holds its items.
async function startHolder(url: string, name: string, deadAfter: number): Promise<ChildProcess> {
  // The URL carries the password: in the environment, not on the command line.
  const child = spawn(process.execPath, [e2eProgram('redis-holder.mjs'), name, String(ITEMS), String(deadAfter)], {
    env: { ...process.env, RXMP_BENCH_REDIS_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const held = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => out.includes('held') && resolve());
    child.once('exit', (code, signal) => reject(new Error(`redis-holder.mjs exited (${code ?? signal}) before it held its items`)));
  });
  await held;
  return child;
}

const ITEMS = 10;
// Far beyond the figure: only the parent's reaction to its child's exit can meet the target, not the heartbeat deadline.
const CHILD_DEAD_AFTER_MS = 30_000;
/** The heartbeat deadline of the 'unseen' case: its target is this plus 2 s. */
export const UNSEEN_DEAD_AFTER_MS = 2_000;
const STEP_TIMEOUT_MS = 20_000;
