import { expect } from 'chai';
import { constants } from 'node:os';
import { JoinableQueue, Pool, Process, Queue, QueueClosedError } from '../../src/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { assertNoChildrenLeft, isPidAlive, removeTempFiles, tempFile, waitFor, waitForFile } from '../helpers.js';
import { sleepForever } from '../fixtures/targets.js';
import * as it20 from '../fixtures/idiom-targets.js';

describe('await using (Symbol.asyncDispose)', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  it('should use the one Symbol.asyncDispose Node registers, on Process, Queue, JoinableQueue and Pool alike', () => {
    expect(Symbol.asyncDispose).to.equal(Symbol.for('nodejs.asyncDispose'));
    for (const proto of [Process.prototype, Queue.prototype, JoinableQueue.prototype, Pool.prototype]) {
      expect(typeof (proto as unknown as Record<symbol, unknown>)[Symbol.asyncDispose]).to.equal('function');
    }
  });

  it('should terminate a child still running at the end of the scope and wait for it, its exit code readable', async () => {
    let p: Process | undefined;
    let pid = 0;
    {
      await using child = new Process({ target: sleepForever });
      child.start();
      p = child;
      pid = child.pid as number;
      expect(isPidAlive(pid)).to.equal(true);
    }
    expect(isPidAlive(pid)).to.equal(false);
    expect(p.exitCode).to.equal(-constants.signals.SIGTERM);
    expect(p.isAlive()).to.equal(false);
    await p[Symbol.asyncDispose]();
    p.close();
  });

  it('should leave a process that was never started as it is', async () => {
    const p = new Process({ target: sleepForever });
    await p[Symbol.asyncDispose]();
    p.start();
    p.kill();
    await p.join();
  });

  it('should close a queue at the end of the scope, ending a loop that reads it', async () => {
    const got: number[] = [];
    let loop: Promise<void> | undefined;
    let q: Queue<number> | undefined;
    {
      await using queue = new Queue<number>();
      q = queue;
      await queue.put(1);
      loop = (async () => {
        for await (const item of queue) got.push(item);
      })();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await loop;
    expect(got).to.deep.equal([1]);
    expect(() => q.put(2)).to.throw(QueueClosedError);
  });

  it("should wait, in a child, until every put it made was accepted and sent, as Python's close() and join_thread()", async () => {
    const q = new Queue<number>(3);
    const [before, after] = [tempFile('before'), tempFile('after')];
    const p = new Process({ target: it20.putAndDispose, args: [q, 20, before, after] });
    p.start();
    await waitForFile(before);
    // The queue holds 3 of the 20: disposal is still waiting for the rest.
    expect(await waitFor(() => q.qsize() === 3, 10_000)).to.equal(true);
    await p.join(200);
    expect(existsSync(after)).to.equal(false);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) got.push(await q.get({ timeout: 20_000 }));
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect(got).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
    expect(readFileSync(after, 'utf8')).to.equal('20');
  });
});
