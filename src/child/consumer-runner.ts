// Runs inside a consumer child: takes jobs from its own queue, runs the user's handler on each, and
// sends the outcome (value or error, tagged with the job's sequence number) back to the parent.
import type { ModuleExportRef } from '../internal/function-locator.js';
import { toRemoteError, type RemoteError } from '../internal/protocol.js';
import type { Queue } from '../process/queue.js';
import { importTarget } from './import-target.js';

export type ConsumerJob = { readonly seq: number; readonly item: unknown } | { readonly end: true };

export type ConsumerResult =
  | { readonly worker: number; readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly worker: number; readonly seq: number; readonly ok: false; readonly error: RemoteError };

export async function runConsumer(
  jobs: Queue<ConsumerJob>,
  results: Queue<ConsumerResult>,
  ref: ModuleExportRef,
  args: unknown[],
  worker: number,
): Promise<void> {
  const handler = (await importTarget(ref)) as (item: unknown, ...rest: unknown[]) => unknown;
  for (;;) {
    const job = await jobs.get();
    if ('end' in job) return;
    let result: ConsumerResult;
    try {
      result = { worker, seq: job.seq, ok: true, value: await handler(job.item, ...args) };
      await results.put(result);
    } catch (error) {
      await results.put({ worker, seq: job.seq, ok: false, error: toRemoteError(error) });
    }
  }
}

/**
 * The seed's consumer style: the user's target gets the consumer's JoinableQueue and loops on get()
 * and taskDone() itself. Values it yields (an async generator) are emitted; each is accepted into
 * the results queue before the generator resumes, so it always reaches the parent before the
 * taskDone that follows it (the results queue's connection is flushed first).
 */
export async function runLoopConsumer(results: Queue<ConsumerResult>, jobs: Queue<unknown>, ref: ModuleExportRef, args: unknown[], worker: number): Promise<void> {
  const target = (await importTarget(ref)) as (q: unknown, ...rest: unknown[]) => unknown;
  const produced = await target(jobs, ...args);
  if (produced && typeof produced === 'object' && Symbol.asyncIterator in produced) {
    for await (const value of produced as AsyncIterable<unknown>) await results.put({ worker, seq: -1, ok: true, value });
  }
}
