import { expect } from 'chai';
import { rejection } from '../helpers.js';
import { JoinableQueue, Queue, QueueClosedError, QueueEmptyError, QueueFullError, SerializationError, TaskDoneError } from '../../src/index.js';
import { TRY_PUT } from '../../src/internal/symbols.js';

describe('Queue (in the owning process)', () => {
  it("should behave as the seed's Queue(3): full after three puts, 1 2 3 out, then empty", async () => {
    const q = new Queue<number>(3);
    await q.put(1);
    await q.put(2);
    await q.put(3);
    expect(q.full()).to.equal(true);
    expect(q.qsize()).to.equal(3);
    expect([await q.get(), await q.get(), await q.get()]).to.deep.equal([1, 2, 3]);
    expect(q.empty()).to.equal(true);
  });

  it('should take an item by TRY_PUT only while it can without waiting, checking it as put() does', async () => {
    const q = new Queue<unknown>(2);
    expect(q[TRY_PUT]('a')).to.equal(true);
    expect(q[TRY_PUT]({ b: 1 })).to.equal(true);
    expect(q[TRY_PUT]('c')).to.equal(false); // full: nothing thrown, nothing taken
    expect(q.qsize()).to.equal(2);
    expect(() => q[TRY_PUT](() => 1)).to.throw(SerializationError);
    expect([await q.get(), await q.get()]).to.deep.equal(['a', { b: 1 }]);
    q.close();
    expect(q[TRY_PUT]('d')).to.equal(false);
    expect(() => q.put('d')).to.throw(QueueClosedError);
  });

  it('should make a blocked put wait until a get frees a slot', async () => {
    const q = new Queue<string>(1);
    await q.put('a');
    let putDone = false;
    const put = q.put('b').then(() => (putDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(putDone).to.equal(false);
    expect(await q.get()).to.equal('a');
    await put;
    expect(await q.get()).to.equal('b');
  });

  it('should make a blocked get wait for the next put', async () => {
    const q = new Queue<{ n: number }>();
    const got = q.get();
    await q.put({ n: 1 });
    expect(await got).to.deep.equal({ n: 1 });
  });

  it('should time out a put on a full queue and a get on an empty one', async () => {
    const q = new Queue<number>(1);
    await q.put(1);
    const started = Date.now();
    expect(await rejection(q.put(2, { timeout: 50 }))).to.be.instanceOf(QueueFullError).with.property('message').that.matches(/50 ms/);
    expect(Date.now() - started).to.be.within(40, 2000);
    expect(q.qsize()).to.equal(1);
    await q.get();
    expect(await rejection(q.get({ timeout: 30 }))).to.be.instanceOf(QueueEmptyError);
    // The timed-out put must not have slipped in later.
    expect(q.empty()).to.equal(true);
  });

  it('should not wait with block=false or a timeout of 0 or less', async () => {
    const q = new Queue<number>(1);
    await q.put(1);
    expect(await rejection(q.put(2, { block: false, timeout: 10_000 }))).to.be.instanceOf(QueueFullError);
    expect(await rejection(q.put(2, { timeout: -1 }))).to.be.instanceOf(QueueFullError);
    await q.get();
    expect(await rejection(q.get({ timeout: 0 }))).to.be.instanceOf(QueueEmptyError);
  });

  it('should throw from putNowait when full and getNowait when empty', () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    expect(() => q.putNowait(2)).to.throw(QueueFullError, /maxsize 1/);
    expect(q.getNowait()).to.equal(1);
    expect(() => q.getNowait()).to.throw(QueueEmptyError);
  });

  it('should refuse an uncloneable item at put, leaving the queue unchanged', () => {
    const q = new Queue<unknown>();
    expect(() => q.putNowait(() => 1)).to.throw(SerializationError, /item/);
    expect(() => q.put({ f: Symbol('x') })).to.throw(SerializationError);
    expect(q.qsize()).to.equal(0);
  });

  it('should reject bad timeouts with a TypeError', () => {
    const q = new Queue<number>();
    expect(() => q.get({ timeout: Number.NaN })).to.throw(TypeError, /timeout/);
    expect(() => q.put(1, { timeout: 'soon' as unknown as number })).to.throw(TypeError, /timeout/);
  });

  it('should refuse put and get after close', () => {
    const q = new Queue<number>();
    q.close();
    expect(() => q.putNowait(1)).to.throw(QueueClosedError, /closed/);
    expect(() => q.get()).to.throw(QueueClosedError, /closed/);
  });

  it('should pass undefined and null through as items', async () => {
    const q = new Queue<unknown>();
    await q.put(undefined);
    await q.put(null);
    expect([await q.get(), await q.get()]).to.deep.equal([undefined, null]);
  });
});

describe('JoinableQueue (in the owning process)', () => {
  it('should settle join only after every item put was marked done', async () => {
    const q = new JoinableQueue<number>();
    await q.put(1);
    await q.put(2);
    let joined = false;
    const join = q.join().then(() => (joined = true));
    await q.get();
    q.taskDone();
    await new Promise((r) => setTimeout(r, 10));
    expect(joined).to.equal(false);
    await q.get();
    q.taskDone();
    await join;
    expect(joined).to.equal(true);
  });

  it("should throw TaskDoneError('taskDone() called too many times')", async () => {
    const q = new JoinableQueue<number>();
    expect(() => q.taskDone()).to.throw(TaskDoneError, /^taskDone\(\) called too many times/);
    await q.put(1);
    q.taskDone();
    expect(() => q.taskDone()).to.throw(TaskDoneError);
  });
});
