// The Redis section's references, each one run of a case in items/s: BullMQ addBulk -> 2 Workers,
// the raw batched Streams relay, and Python's BaseManager queue (its own TCP server, not Redis).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runRoles, slices } from './roles.js';

export interface Shape {
  readonly size: 'small' | '1k';
  readonly producers: number;
  readonly n: number;
}

const CONSUMERS = 2;

/** BullMQ: Queue.addBulk in chunks of 1,000 -> 2 Worker processes at concurrency 100, jobs removed when done. */
export function runBullMQ(url: string, shape: Shape): Promise<number> {
  const queue = `bench-${Date.now()}`;
  return runRoles({
    label: `BullMQ ${shape.size} ${shape.producers}->${CONSUMERS}`,
    url,
    n: shape.n,
    consumers: Array.from({ length: CONSUMERS }, () => ['bullmq-worker.mjs', { queue }] as const),
    producers: slices(shape.n, shape.producers).map(([from, to]) => ['bullmq-producer.mjs', { queue, from, to, size: shape.size }] as const),
  });
}

/** Raw Streams, one XADD entry per 100 items -> 2 XREADGROUP/XACK consumers: no bookkeeping, the ceiling. */
export function runRawStreams(url: string, shape: Shape): Promise<number> {
  const stream = `bench-${Date.now()}`;
  return runRoles({
    label: `raw Streams ${shape.size} ${shape.producers}->${CONSUMERS}`,
    url,
    n: shape.n,
    consumers: Array.from({ length: CONSUMERS }, (_, k) => ['streams-consumer.mjs', { stream, group: 'g', name: `c${k}` }] as const),
    producers: slices(shape.n, shape.producers).map(([from, to]) => ['streams-producer.mjs', { stream, from, to, size: shape.size }] as const),
  });
}

/** Python's BaseManager queue over TCP (maxsize 1000), P producers -> 2 consumers; undefined without python3. */
export async function runPythonManagers(python: string | undefined, shape: Shape): Promise<number | undefined> {
  if (!python) return undefined;
  const script = fileURLToPath(new URL('../../../py/managers.py', import.meta.url));
  const args = [script, '--producers', String(shape.producers), '--size', shape.size, '--n', String(shape.n), '--maxsize', '1000'];
  const { stdout } = await promisify(execFile)(python, args, { encoding: 'utf8', timeout: 600_000 });
  return (JSON.parse(stdout.trim().split('\n').pop() as string) as { items_per_s: number }).items_per_s;
}
