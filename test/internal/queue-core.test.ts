import { expect } from 'chai';
import { EMPTY, QueueCore, type Getter } from '../../src/internal/queue-core.js';
import { TaskDoneError } from '../../src/index.js';

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
    core.putBack(first);
    expect([core.poll(), core.poll()]).to.deep.equal([1, 2]);
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

  it('should reject a maxsize that is not a number', () => {
    expect(() => new QueueCore(Number.NaN)).to.throw(TypeError, /`maxsize` to be a number/);
  });
});
