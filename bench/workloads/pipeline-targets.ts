// What the pipelines' children run, in a module of its own: a child imports its target's module, and
// this one loads neither RxJS nor the parent's side of the benchmark (~35 ms of start-up per child,
// which the Rx pipeline's clock includes).
import type { JoinableQueue } from 'rx-multiprocessing';
import { makeItem } from '../stats.js';

export async function queueProducer(q: JoinableQueue<string>, ready: JoinableQueue<boolean>, go: JoinableQueue<boolean>, size: 'small' | '1k', from: number, to: number): Promise<void> {
  await ready.put(true);
  await go.get();
  for (let i = from; i < to; i++) await q.put(makeItem(size, i));
}

export async function queueConsumer(q: JoinableQueue<string>, ready: JoinableQueue<boolean>): Promise<void> {
  await ready.put(true);
  for (;;) {
    await q.get();
    q.taskDone();
  }
}

export function* rxItems(size: 'small' | '1k', from: number, to: number): Generator<string> {
  for (let i = from; i < to; i++) yield makeItem(size, i);
}

// The same items once the bench says go: the child reports it is up, then waits (its generator is
// returned afterwards, so producing stays a plain synchronous loop).
export async function rxItemsOnCue(ready: JoinableQueue<boolean>, go: JoinableQueue<boolean>, size: 'small' | '1k', from: number, to: number): Promise<Iterable<string>> {
  await ready.put(true);
  await go.get();
  return rxItems(size, from, to);
}

/** The Rx consumers' initializer: each says it is up, as the Queue pipeline's consumers do. */
export async function rxConsumerUp(ready: JoinableQueue<boolean>): Promise<void> {
  await ready.put(true);
}

export function rxIdentity(item: string): number {
  return item.length;
}
