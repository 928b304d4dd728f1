import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { Pool, ProcessStateError, activeChildren } from '../../src/index.js';
import { assertChildrenExitSoon, isPidAlive, rejection, waitFor } from '../helpers.js';
import { sleepFor, square, whoAmI } from '../fixtures/pool-targets.js';

// new Pool({ signal }): aborting terminates the pool, as terminate() does, its tasks rejecting with
// an AbortError whose cause is the signal's reason.
describe('Pool: the signal option', () => {
  afterEach(() => assertChildrenExitSoon());

  it('should terminate the pool when aborted: its workers end and pending tasks reject with AbortError', async () => {
    const controller = new AbortController();
    const pool = new Pool({ processes: 2, signal: controller.signal });
    const pids = new Set((await Promise.all([pool.apply(whoAmI), pool.apply(whoAmI), pool.apply(whoAmI)])).map(({ pid }) => pid));
    const running = [pool.run(sleepFor, [60_000]), pool.run(sleepFor, [60_000]), pool.run(sleepFor, [60_000])];
    const reason = new Error('shutting down');
    controller.abort(reason);
    for (const task of running) {
      const error = await rejection(task);
      expect(error).to.be.instanceOf(DOMException).with.property('name', 'AbortError');
      expect(error.cause).to.equal(reason);
    }
    await pool.join();
    for (const pid of pids) expect(await waitFor(() => !isPidAlive(pid), 5000), `worker ${pid}`).to.equal(true);
    // A terminated pool takes no more tasks.
    expect(await rejection(pool.apply(square, [2]))).to.be.instanceOf(ProcessStateError);
  });

  it('should throw AbortError from the constructor, starting no worker, when the signal is already aborted', () => {
    const reason = new Error('never mind');
    const before = activeChildren().length;
    let error: unknown;
    try {
      new Pool({ processes: 2, signal: AbortSignal.abort(reason) });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DOMException).with.property('name', 'AbortError');
    expect((error as Error).cause).to.equal(reason);
    expect(activeChildren().length).to.equal(before);
  });

  it('should stop listening to the signal once the pool is closed and joined', async () => {
    const controller = new AbortController();
    const pool = new Pool({ processes: 1, signal: controller.signal });
    expect(await pool.apply(square, [3])).to.equal(9);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(1);
    pool.close();
    await pool.join();
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('should refuse a signal that is not an AbortSignal, naming the fix', () => {
    expect(() => new Pool({ processes: 1, signal: 'stop' as never })).to.throw(TypeError, /`signal` of Pool to be an AbortSignal, got `'stop'` \(string\)\. Pass an AbortController's `signal`/);
  });
});
