import { expect } from 'chai';
import { take, toArray, firstValueFrom } from 'rxjs';
import { JoinableQueue, Process, Queue, QueueClosedError } from '../../src/index.js';
import { UNFINISHED } from '../../src/internal/symbols.js';
import { assertNoChildrenLeft, rejection } from '../helpers.js';
import * as it20 from '../fixtures/idiom-targets.js';

// Lets every pending promise callback and I/O of this turn run.
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('for await over a Queue', () => {
  afterEach(assertNoChildrenLeft);

  it('should read the items in order and end when the queue is closed while it waits, taking nothing more', async () => {
    const q = new Queue<number>();
    await q.put(1);
    await q.put(2);
    const got: number[] = [];
    const loop = (async () => {
      for await (const item of q) got.push(item);
    })();
    await settle();
    expect(got).to.deep.equal([1, 2]);
    q.close();
    await loop;
    expect(got).to.deep.equal([1, 2]);
    expect(() => q.get()).to.throw(QueueClosedError);
  });

  it('should take no further item when the loop breaks', async () => {
    const q = new Queue<number>();
    for (const item of [1, 2, 3]) await q.put(item);
    for await (const item of q) {
      if (item === 2) break;
    }
    expect(q.qsize()).to.equal(1);
    expect(await q.get()).to.equal(3);
  });

  it('should end at the sentinel, yielding what came before it', async () => {
    const q = new Queue<string | undefined>();
    for (const item of ['a', 'b', undefined, 'c']) await q.put(item);
    const got: (string | undefined)[] = [];
    for await (const item of q.values({ sentinel: undefined })) got.push(item);
    expect(got).to.deep.equal(['a', 'b']);
    expect(await q.get()).to.equal('c');
  });

  it('should throw an AbortError out of the loop when its signal aborts, leaving a later item in the queue', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    const loop = (async () => {
      for await (const item of q.values({ signal: controller.signal })) expect.fail(`got ${item}`);
    })();
    await settle();
    controller.abort('stop reading');
    const error = await rejection(loop);
    expect(error.name).to.equal('AbortError');
    expect(error.cause).to.equal('stop reading');
    await q.put(1);
    expect(q.qsize()).to.equal(1);
  });

  it('should name the fix for bad options', () => {
    const q = new Queue<number>();
    expect(() => q.values(null as unknown as object)).to.throw(TypeError, /options of values\(\) to be an object \{ signal\?, sentinel\? \}, got `null` \(null\)/);
    expect(() => q.values({ signal: 1 as unknown as AbortSignal })).to.throw(TypeError, /`signal` of values\(\) to be an AbortSignal/);
    expect(() => q.toObservable(7 as unknown as object)).to.throw(TypeError, /options of toObservable\(\)/);
  });

  it('should mark each item of a JoinableQueue done when the loop asks for the next one or leaves by break', async () => {
    const q = new JoinableQueue<string>();
    for (const item of ['a', 'b', 'c']) await q.put(item);
    const unfinishedSeen: number[] = [];
    for await (const item of q) {
      unfinishedSeen.push(q[UNFINISHED]());
      if (item === 'b') break;
    }
    expect(unfinishedSeen).to.deep.equal([3, 2]);
    expect(q[UNFINISHED]()).to.equal(1);
    expect(q.qsize()).to.equal(1);
  });

  it('should mark the item of a JoinableQueue done when the loop body throws', async () => {
    const q = new JoinableQueue<string>();
    await q.put('bad');
    const error = await rejection(
      (async () => {
        for await (const item of q) throw new Error(`cannot handle ${item}`);
      })(),
    );
    expect(error.message).to.equal('cannot handle bad');
    await q.join({ signal: AbortSignal.timeout(5_000) });
    expect(q[UNFINISHED]()).to.equal(0);
  });

  it('should let a child read a JoinableQueue with for await until the sentinel, so join() settles', async () => {
    const q = new JoinableQueue<number | null>();
    const out = new Queue<number>();
    const p = new Process({ target: it20.iterateUntilNull, args: [q, out] });
    p.start();
    for (const item of [1, 2, 3, null]) await q.put(item);
    await q.join({ signal: AbortSignal.timeout(20_000) });
    expect([await out.get(), await out.get(), await out.get()]).to.deep.equal([10, 20, 30]);
    await p.join();
    expect(p.exitCode).to.equal(0);
  });
});

describe('Queue.toObservable()', () => {
  it('should emit the items, taking none after take(n) unsubscribes', async () => {
    const q = new Queue<number>();
    for (const item of [1, 2, 3]) await q.put(item);
    expect(await firstValueFrom(q.toObservable().pipe(take(2), toArray()))).to.deep.equal([1, 2]);
    expect(q.qsize()).to.equal(1);
    expect(await q.get()).to.equal(3);
  });

  it('should stop its pending get on unsubscribe, so a later item stays in the queue', async () => {
    const q = new Queue<number>();
    const got: number[] = [];
    const subscription = q.toObservable().subscribe({ next: (item) => got.push(item), error: (error) => expect.fail(String(error)) });
    await settle();
    subscription.unsubscribe();
    await settle();
    await q.put(1);
    await settle();
    expect(got).to.deep.equal([]);
    expect(q.qsize()).to.equal(1);
  });

  it('should complete at the sentinel and when the queue is closed', async () => {
    const q = new Queue<number>();
    for (const item of [1, 2, 0, 3]) await q.put(item);
    expect(await firstValueFrom(q.toObservable({ sentinel: 0 }).pipe(toArray()))).to.deep.equal([1, 2]);
    const all = firstValueFrom(q.toObservable().pipe(toArray()));
    await settle();
    q.close();
    expect(await all).to.deep.equal([3]);
  });

  it('should mark the items of a JoinableQueue done as they are emitted', async () => {
    const q = new JoinableQueue<number>();
    for (const item of [1, 2]) await q.put(item);
    const seen: number[] = [];
    await firstValueFrom(q.toObservable().pipe(take(2), toArray())).then((items) => seen.push(...items));
    expect(seen).to.deep.equal([1, 2]);
    await q.join({ signal: AbortSignal.timeout(5_000) });
  });
});
