// What our Redis cases' children run, in a module that loads neither RxJS nor the bench's parent side.
import type { JoinableQueue, Queue } from 'rx-multiprocessing';
import { makeItem } from '../../stats.js';

/**
 * A producer that puts a chunk of items without awaiting each one, then awaits the chunk: puts of one
 * event-loop turn travel to Redis as one entry, so a producer that awaits every put (the local bench's
 * queueProducer) pays a round trip per item, and this one per 100.
 */
export async function chunkedProducer(q: JoinableQueue<string>, ready: JoinableQueue<boolean>, go: JoinableQueue<boolean>, size: 'small' | '1k', from: number, to: number): Promise<void> {
  await ready.put(true);
  await go.get();
  for (let start = from; start < to; start += CHUNK) {
    const puts: Promise<void>[] = [];
    for (let i = start; i < Math.min(to, start + CHUNK); i++) puts.push(q.put(makeItem(size, i)));
    await Promise.all(puts);
  }
}

/** Takes `n` items and holds them, none done, telling `taken` it has them; then waits to be killed. */
export async function holdItems(jobs: JoinableQueue<number>, n: number, taken: Queue<number>): Promise<void> {
  for (let i = 0; i < n; i++) await jobs.get();
  await taken.put(n);
  await new Promise(() => {});
}

/** Says it is up, then reports (epoch ms) when the first item reaches it, and marks what it gets done. */
export async function reportFirstItem(jobs: JoinableQueue<number>, up: Queue<boolean>, got: Queue<number>): Promise<void> {
  await up.put(true);
  await jobs.get();
  await got.put(performance.timeOrigin + performance.now());
  jobs.taskDone();
  for (;;) {
    await jobs.get();
    jobs.taskDone();
  }
}

const CHUNK = 1000;
