import { expect } from 'chai';
import { JoinableQueue, Process, Queue, QueueFullError } from '../../src/index.js';
import { UNFINISHED } from '../../src/internal/symbols.js';
import { Prng } from '../fuzz/prng.js';
import { writeFileSync } from 'node:fs';
import { assertNoChildrenLeft, isPidAlive, rejection, removeTempFiles, tempFile, waitFor, waitForFile } from '../helpers.js';
import * as it20 from '../fixtures/idiom-targets.js';
import type { AbortNote } from '../fixtures/idiom-targets.js';

function start(target: (...args: never[]) => unknown, args: unknown[]): Process {
  const p = new Process({ target, args });
  p.start();
  return p;
}

function expectAbortError(error: Error, cause: unknown): void {
  expect(error).to.be.instanceOf(DOMException);
  expect(error.name).to.equal('AbortError');
  expect(error.cause).to.equal(cause);
}

describe('Queue with an AbortSignal, in the owner', () => {
  it('should reject a waiting get() with an AbortError whose cause is the reason, and take no item', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const pending = q.get({ signal: controller.signal });
    controller.abort('no longer needed');
    expectAbortError(await rejection(pending), 'no longer needed');
    await q.put('later');
    expect(q.qsize()).to.equal(1);
    expect(await q.get()).to.equal('later');
  });

  it('should reject at once for a signal already aborted, even when an item is there, which stays', async () => {
    const q = new Queue<number>();
    await q.put(1);
    const reason = new Error('cancelled before');
    expectAbortError(await rejection(q.get({ signal: AbortSignal.abort(reason) })), reason);
    expectAbortError(await rejection(q.put(2, { signal: AbortSignal.abort(reason) })), reason);
    expect(q.qsize()).to.equal(1);
    expect(q.getNowait()).to.equal(1);
  });

  it('should reject a put() waiting for a slot without putting its item', async () => {
    const q = new Queue<string>(1);
    await q.put('a');
    const controller = new AbortController();
    const pending = q.put('b', { signal: controller.signal });
    controller.abort();
    const error = await rejection(pending);
    expect(error.name).to.equal('AbortError');
    expect((error.cause as Error).name).to.equal('AbortError'); // abort() with no reason: the signal's own AbortError
    expect(await q.get()).to.equal('a');
    expect(q.qsize()).to.equal(0);
    await q.put('c');
    expect(await q.get()).to.equal('c');
  });

  it('should resolve a put() or get() that could go at once, the signal then changing nothing', async () => {
    const q = new Queue<number>(1);
    const controller = new AbortController();
    await q.put(7, { signal: controller.signal });
    expect(await q.get({ signal: controller.signal })).to.equal(7);
    controller.abort();
    expect(q.qsize()).to.equal(0);
  });

  it('should still time out as before when a signal is given and never aborted', async () => {
    const q = new Queue<number>(1);
    await q.put(1);
    const error = await rejection(q.put(2, { timeout: 30, signal: new AbortController().signal }));
    expect(error).to.be.instanceOf(QueueFullError);
  });

  it('should name the fix for a signal that is not an AbortSignal', () => {
    const q = new JoinableQueue<number>();
    expect(() => q.get({ signal: 'stop' as unknown as AbortSignal })).to.throw(TypeError, /Expected `signal` of get\(\) to be an AbortSignal, got `'stop'` \(string\)\. Pass an AbortController's `signal`, or AbortSignal\.timeout\(ms\)/);
    expect(() => q.put(1, { signal: {} as AbortSignal })).to.throw(TypeError, /`signal` of put\(\) to be an AbortSignal/);
    expect(() => q.join({ signal: null as unknown as AbortSignal })).to.throw(TypeError, /`signal` of join\(\) to be an AbortSignal, got `null` \(null\)/);
    expect(() => q.join(1000 as unknown as { signal: AbortSignal })).to.throw(TypeError, /join\(\{ signal: AbortSignal\.timeout\(1000\) \}\)/);
    const throwing = new Proxy({}, { has: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } });
    expect(() => q.join(throwing)).to.throw(TypeError, /Reading the options of join\(\) threw: trap\. Pass a plain \{ signal \} object/);
    expect(() => q.values(throwing)).to.throw(TypeError, /Reading the options of values\(\) threw: trap/);
  });

  it('should reject join({ signal }) on abort and leave the unfinished count as it was', async () => {
    const q = new JoinableQueue<number>();
    await q.put(1);
    const controller = new AbortController();
    const pending = q.join({ signal: controller.signal });
    controller.abort('enough');
    expectAbortError(await rejection(pending), 'enough');
    expect(q[UNFINISHED]()).to.equal(1);
    await q.get();
    q.taskDone();
    await q.join({ signal: new AbortController().signal });
    expect(q[UNFINISHED]()).to.equal(0);
  });

  it('should lose no item, take none twice, and put no aborted item when gets and puts are aborted at random', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const prng = new Prng(seed);
      const q = new Queue<number>(seed % 2 === 0 ? 0 : 3);
      const got: number[] = [];
      const accepted: number[] = [];
      const settled: Promise<void>[] = [];
      const gets: AbortController[] = [];
      const puts: AbortController[] = [];
      const onAbort = (error: Error): void => {
        expect(error.name).to.equal('AbortError');
      };
      for (let op = 0, item = 0; op < 4000; op++) {
        const step = prng.int(6);
        if (step <= 1) {
          const controller = new AbortController();
          gets.push(controller);
          settled.push(q.get({ signal: controller.signal }).then((value) => void got.push(value), onAbort));
        } else if (step === 2) {
          const controller = new AbortController();
          puts.push(controller);
          const value = item++;
          settled.push(q.put(value, { signal: controller.signal }).then(() => void accepted.push(value), onAbort));
        } else if (step === 3 && gets.length > 0) {
          gets.splice(prng.int(gets.length), 1)[0]?.abort();
        } else if (step === 4 && puts.length > 0) {
          puts.splice(prng.int(puts.length), 1)[0]?.abort();
        } else {
          await Promise.resolve();
        }
      }
      for (const controller of [...gets, ...puts]) controller.abort();
      await Promise.all(settled);
      while (q.qsize() > 0) got.push(q.getNowait());
      // Every item of a put that resolved went to exactly one get (or was left in the queue, drained
      // above); no item of an aborted put appears.
      expect([...got].sort((a, b) => a - b), `seed ${seed}`).to.deep.equal([...accepted].sort((a, b) => a - b));
      expect(got.length, `seed ${seed}`).to.be.greaterThan(100);
    }
  });
});

describe('Queue with an AbortSignal, across processes', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  it("should let a child abort a get() on the parent's queue, so the parent's next put reaches another getter", async () => {
    const q = new Queue<string>();
    const notes = new Queue<AbortNote>();
    const release = new Queue<string>();
    const otherNotes = new Queue<unknown>();
    const aborter = start(it20.abortGetThenIdle, [q, notes, release]);
    const note = await notes.get();
    expect(note).to.deep.equal({ what: 'get', name: 'AbortError', isDomException: true, cause: 'consumer gave up' });
    expect(isPidAlive(aborter.pid as number)).to.equal(true);
    // The aborter is still alive and connected: had the owner kept its request, this item would go there.
    const other = start(it20.getOneAndReport, [q, otherNotes]);
    expect(await otherNotes.get()).to.equal('ready');
    await q.put('for whoever waits');
    expect(await otherNotes.get({ timeout: 10_000 })).to.equal('for whoever waits');
    await other.join();
    await release.put('go');
    await aborter.join();
    expect([aborter.exitCode, other.exitCode]).to.deep.equal([0, 0]);
    expect(q.qsize()).to.equal(0);
  });

  it('should send back to the queue an item that was on its way to a child as its get was aborted, for another getter', async () => {
    const q = new Queue<string>();
    const notes = new Queue<AbortNote>();
    const release = new Queue<string>();
    const otherNotes = new Queue<unknown>();
    const [waiting, ack] = [tempFile('waiting'), tempFile('ack')];
    const aborter = start(it20.abortGetWithItemOnItsWay, [q, notes, release, waiting, ack]);
    await waitForFile(waiting);
    await q.put('in flight');
    // The owner sent it to the child's pending request (it left the buffer); the child, busy, has not read it.
    expect(await waitFor(() => q.qsize() === 0, 10_000)).to.equal(true);
    writeFileSync(ack, '');
    expect(await notes.get()).to.deep.equal({ what: 'get', name: 'AbortError', isDomException: true, cause: 'too late' });
    const other = start(it20.getOneAndReport, [q, otherNotes]);
    expect(await otherNotes.get()).to.equal('ready');
    expect(await otherNotes.get({ timeout: 10_000 })).to.equal('in flight');
    await other.join();
    await release.put('go');
    await aborter.join();
    expect([aborter.exitCode, other.exitCode]).to.deep.equal([0, 0]);
  });

  it('should let a child abort a put() waiting for a slot, its item never arriving', async () => {
    const q = new Queue<string>(1);
    const notes = new Queue<AbortNote>();
    await q.put('first');
    const p = start(it20.abortPutThenPut, [q, notes, 'after']);
    expect(await notes.get()).to.deep.equal({ what: 'put', name: 'AbortError', isDomException: true, cause: 'producer gave up' });
    expect(await q.get()).to.equal('first');
    expect(await q.get({ timeout: 10_000 })).to.equal('after');
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect(q.qsize()).to.equal(0);
  });

  it('should let a child abort join({ signal }) and join again later', async () => {
    const q = new JoinableQueue<number>();
    const notes = new Queue<unknown>();
    await q.put(1);
    const p = start(it20.abortJoinThenJoin, [q, notes]);
    expect(await notes.get()).to.deep.equal({ what: 'join', name: 'AbortError', isDomException: true, cause: 'joiner gave up' });
    await q.get();
    q.taskDone();
    expect(await notes.get({ timeout: 10_000 })).to.equal('joined');
    await p.join();
    expect(p.exitCode).to.equal(0);
  });

  it("should let a child abort more joins than the owner would keep waiting, each forgotten by the owner", async () => {
    const q = new JoinableQueue<number>();
    const notes = new Queue<unknown>();
    await q.put(1);
    // More than the 65,536 joins an owner keeps for one connection before taking it for a faulty peer.
    const p = start(it20.abortManyJoins, [q, notes, 70_000]);
    expect(await notes.get({ timeout: 50_000 })).to.equal('aborted all');
    await q.get();
    q.taskDone();
    expect(await notes.get({ timeout: 10_000 })).to.equal('joined');
    await p.join();
    expect(p.exitCode).to.equal(0);
  });

  it('should deliver every item exactly once to a child whose gets are aborted in rounds while the parent puts', async () => {
    const q = new Queue<number>(50);
    const out = new Queue<number[]>();
    const TOTAL = 3000;
    const p = start(it20.getInAbortedRounds, [q, out, 8, TOTAL]);
    for (let i = 0; i < TOTAL; i++) {
      await q.put(i);
      // Let the child's requests and aborts interleave with the items.
      if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const got = await out.get();
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect(got.length).to.equal(TOTAL);
    expect([...got].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: TOTAL }, (_, i) => i));
    expect(q.qsize()).to.equal(0);
  });
});
