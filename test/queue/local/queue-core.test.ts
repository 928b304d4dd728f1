import { expect } from 'chai';
import { serialize } from 'node:v8';
import { EncodedBatch } from '../../../src/queue/local/encoded-batch.js';
import { EMPTY, QueueCore, type Getter } from '../../../src/queue/local/queue-core.js';
import { TaskDoneError } from '../../../src/index.js';

function recordingGetter<T>(received: T[], alive = true): Getter<T> {
  return { deliver: (item) => alive && received.push(item) > 0 };
}

describe('QueueCore', () => {
  it('should accept up to maxsize items, then refuse', () => {
    const core = new QueueCore<number>(2);
    expect(core.offer(1)).to.equal(true);
    expect(core.offer(2)).to.equal(true);
    expect(core.isFull()).to.equal(true);
    expect(core.offer(3)).to.equal(false);
    expect(core.size).to.equal(2);
    expect(core.unfinished).to.equal(2);
  });

  it('should treat 0, negative and Infinity maxsize as unbounded', () => {
    for (const maxsize of [0, -5, Infinity]) {
      const core = new QueueCore<number>(maxsize);
      for (let i = 0; i < 10_000; i++) expect(core.offer(i)).to.equal(true);
      expect(core.isFull()).to.equal(false);
    }
  });

  it('should keep FIFO order across the compaction of its buffer', () => {
    const core = new QueueCore<number>();
    const taken: number[] = [];
    for (let i = 0; i < 5000; i++) {
      core.offer(i);
      if (i % 3 === 0) taken.push(core.poll() as number);
    }
    for (let item = core.poll(); item !== EMPTY; item = core.poll()) taken.push(item);
    expect(taken).to.deep.equal(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('should hand an item straight to a waiting getter, skipping getters that are gone', () => {
    const core = new QueueCore<string>(1);
    const dead: string[] = [];
    const live: string[] = [];
    core.waitToGet(recordingGetter(dead, false));
    core.waitToGet(recordingGetter(live));
    expect(core.offer('a')).to.equal(true);
    expect(dead).to.deep.equal([]);
    expect(live).to.deep.equal(['a']);
    expect(core.size).to.equal(0);
  });

  it('should admit a waiting putter when a slot frees, skipping putters that are gone', () => {
    const core = new QueueCore<string>(1);
    core.offer('a');
    const admitted: string[] = [];
    core.waitToPut({ item: 'gone', admit: () => false });
    core.waitToPut({ item: 'b', admit: () => admitted.push('b') > 0 });
    expect(core.poll()).to.equal('a');
    expect(admitted).to.deep.equal(['b']);
    expect(core.poll()).to.equal('b');
    expect(core.poll()).to.equal(EMPTY);
    expect(core.unfinished).to.equal(2);
  });

  it('should put an undeliverable item back at the head', () => {
    const core = new QueueCore<number>(3);
    core.offer(1);
    core.offer(2);
    const first = core.poll() as number;
    core.putBack([first]);
    expect([core.poll(), core.poll()]).to.deep.equal([1, 2]);
  });

  it('should hand items put back to waiting getters first-in-order, the rest to the head', () => {
    const core = new QueueCore<number>();
    const received: number[] = [];
    core.waitToGet(recordingGetter(received, false));
    core.waitToGet(recordingGetter(received));
    core.waitToGet(recordingGetter(received));
    core.putBack([new EncodedBatch<number>(serialize([1, 2, 3]), 3), 4]);
    expect(received).to.deep.equal([1, 2]);
    expect([core.poll(), core.poll(), core.poll()]).to.deep.equal([3, 4, EMPTY]);
  });

  it('should count unfinished tasks and settle join at zero', async () => {
    const core = new QueueCore<number>();
    await core.join();
    core.offer(1);
    core.offer(2);
    let joined = false;
    const join = core.join().then(() => (joined = true));
    core.taskDone();
    await Promise.resolve();
    expect(joined).to.equal(false);
    core.taskDone();
    await join;
    expect(joined).to.equal(true);
    expect(() => core.taskDone()).to.throw(TaskDoneError, /taskDone\(\) called too many times/);
  });

  it('should give every join() until the count is zero one promise, and a later join a new one', async () => {
    const core = new QueueCore<number>();
    core.offer(1);
    const first = core.join();
    expect(core.join()).to.equal(first);
    core.poll();
    core.taskDone();
    core.offer(2);
    const second = core.join();
    expect(second).to.not.equal(first);
    await first;
    let settled = false;
    void second.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).to.equal(false);
    core.taskDone();
    await second;
  });

  it('should take a withdrawn getter or putter out of the line', () => {
    const core = new QueueCore<number>(1);
    const received: number[] = [];
    const gone = recordingGetter([]);
    core.waitToGet(gone);
    core.waitToGet(recordingGetter(received));
    core.withdrawGetter(gone);
    core.offer(1);
    expect(received).to.deep.equal([1]);
    core.offer(2);
    const putter = { item: 3, admit: () => true };
    core.waitToPut(putter);
    core.withdrawPutter(putter);
    core.poll();
    expect(core.size).to.equal(0);
  });

  it('should keep encoded batches whole where they fit, and decode one only to split it or to take from it here', () => {
    const core = new QueueCore<number>(100);
    core.reserve(30);
    core.acceptEncoded(new EncodedBatch<number>(serialize([0, 1, 2, 3, 4]), 5));
    core.acceptEncoded(new EncodedBatch<number>(serialize([5, 6, 7, 8, 9]), 5));
    core.offer(10);
    expect(core.size).to.equal(11);
    expect(core.unfinished).to.equal(11);
    // A share of 3 with room for 8: the first batch whole (it fits), no more.
    const [first, ...rest] = core.pollMany(3, 8);
    expect(rest).to.have.length(0);
    expect(first).to.be.instanceOf(EncodedBatch);
    expect((first as EncodedBatch<number>).decode()).to.deep.equal([0, 1, 2, 3, 4]);
    // Room for 2 only: the next batch is split, its first 2 items leave as items.
    expect(core.pollMany(2)).to.deep.equal([5, 6]);
    expect(core.size).to.equal(4);
    expect(core.poll()).to.equal(7);
    core.putBack([new EncodedBatch<number>(serialize([-2, -1]), 2)]);
    expect(core.size).to.equal(5);
    const all: number[] = [];
    for (let item = core.poll(); item !== EMPTY; item = core.poll()) all.push(item);
    expect(all).to.deep.equal([-2, -1, 8, 9, 10]);
  });

  it('should reject a maxsize that is not a number', () => {
    expect(() => new QueueCore(Number.NaN)).to.throw(TypeError, /`maxsize` to be a number/);
  });
});
