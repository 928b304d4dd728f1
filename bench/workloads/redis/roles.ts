// Runs one reference case (BullMQ, raw Streams) as separate processes, the baseline's way: every
// consumer and producer is started and connected before the clock; the clock runs from the 'go' to
// the producers until the consumers' counts of done items add up to n. Every child is stopped, then
// SIGKILLed by pid, whatever happens.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A role process: a file of bench/redis/refs/ and its JSON arguments. */
export type Role = readonly [file: string, args: Readonly<Record<string, unknown>>];

export interface RoleCase {
  readonly label: string;
  readonly url: string;
  readonly n: number;
  readonly consumers: readonly Role[];
  readonly producers: readonly Role[];
}

/** items/s of one run of the case. */
export async function runRoles(c: RoleCase): Promise<number> {
  const children: ChildProcess[] = [];
  const start = ([file, args]: Role): ChildProcess => {
    const path = fileURLToPath(new URL(`../../../redis/refs/${file}`, import.meta.url));
    // The URL carries the password: in the environment, not on the command line.
    const child = fork(path, [JSON.stringify(args)], { env: { ...process.env, RXMP_BENCH_REDIS_URL: c.url }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    return child;
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const consumers = c.consumers.map(start);
    const producers = c.producers.map(start);
    await Promise.all([...consumers, ...producers].map((child) => readyOrExit(child, c.label)));
    const counts = consumers.map(() => 0);
    const finished = new Promise<bigint>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${c.label}: timed out after ${CASE_TIMEOUT_MS} ms (${sum(counts)} of ${c.n} done)`)), CASE_TIMEOUT_MS);
      consumers.forEach((child, k) =>
        child.on('message', (m: { done?: number }) => {
          if (typeof m.done !== 'number') return;
          counts[k] = m.done;
          if (sum(counts) >= c.n) resolve(process.hrtime.bigint());
        }),
      );
      for (const child of children) child.once('exit', (code, signal) => reject(new Error(`${c.label}: child ${child.pid} exited (${code ?? signal}) mid-case`)));
    });
    const t0 = process.hrtime.bigint();
    for (const child of producers) child.send({ go: true });
    const t1 = await finished;
    return c.n / (Number(t1 - t0) / 1e9);
  } finally {
    clearTimeout(timer);
    await Promise.all(children.map(stop));
  }
}

function readyOrExit(child: ChildProcess, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('message', (m: { ready?: boolean }) => m.ready && resolve());
    child.once('exit', (code, signal) => reject(new Error(`${label}: a child exited before it was ready (${code ?? signal})`)));
  });
}

// A graceful stop (its client's quit), then SIGKILL by pid if it does not exit in time.
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const kill = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), STOP_GRACE_MS);
  try {
    child.send({ stop: true });
  } catch {
    if (child.pid) process.kill(child.pid, 'SIGKILL');
  }
  await exited;
  clearTimeout(kill);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Splits [0, n) into `parts` contiguous slices, as even as possible. */
export function slices(n: number, parts: number): [number, number][] {
  const per = Math.ceil(n / parts);
  return Array.from({ length: parts }, (_, p) => [p * per, Math.min(n, (p + 1) * per)]);
}

const CASE_TIMEOUT_MS = 300_000;
const STOP_GRACE_MS = 5_000;
