import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { from, interval, lastValueFrom, map, take, toArray, type Observable } from 'rxjs';
import { activeChildren, consume, mergeProducers, producer, queue, setStartMethod, type Context, type StartMethod } from '../../src/index.js';
import { assertChildrenExitSoon, isPidAlive, waitFor } from '../helpers.js';
import * as rx from '../fixtures/rx-targets.js';

// The `signal` option of producer() and consume(): aborting errors the Observable with an AbortError
// whose cause is the signal's reason, and ends every child it started.

/** Subscribes, calls `onValue` with each value, and resolves with the error (or fails on completion). */
function errorOf<T>(observable: Observable<T>, onValue: (value: T) => void = () => undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    observable.subscribe({ next: onValue, error: resolve, complete: () => reject(new Error('completed instead of failing')) });
  });
}

function expectAbortError(error: unknown, reason: unknown): void {
  expect(error).to.be.instanceOf(DOMException);
  expect((error as DOMException).name).to.equal('AbortError');
  expect((error as Error).cause).to.equal(reason);
}

describe('the signal option of producer() and consume()', () => {
  afterEach(() => assertChildrenExitSoon());

  it('should error a producer with AbortError (cause: the reason) and end its child process once aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    const pids = new Set<number>();
    const error = await errorOf(producer(rx.pidForever, { signal: controller.signal }), (pid) => {
      pids.add(pid);
      controller.abort(reason);
    });
    expectAbortError(error, reason);
    expect(pids.size).to.equal(1);
    const [pid] = pids;
    expect(await waitFor(() => !isPidAlive(pid as number), 5000)).to.equal(true);
  });

  for (const context of ['process', 'thread'] as const satisfies readonly Context[]) {
    it(`should error consume() with AbortError and end every consumer and the producer feeding it, in the ${context} context`, async () => {
      const controller = new AbortController();
      const seen: { pid: number; name: string }[] = [];
      const out$ = producer(rx.forever, { context }).pipe(
        queue({ maxsize: 8 }),
        consume(rx.slowIdentity, { processes: 2, args: [20], context, signal: controller.signal }),
      );
      const error = await errorOf(out$, (result) => {
        seen.push(result);
        if (seen.length === 4) controller.abort('stop');
      });
      expectAbortError(error, 'stop');
      // Every child this pipeline started is gone: the consumers and the producer.
      expect(await waitFor(() => activeChildren().length === 0, 5000)).to.equal(true);
      if (context === 'process') for (const { pid } of seen) expect(isPidAlive(pid), `consumer ${pid}`).to.equal(false);
    });
  }

  it('should end the children of a merged pipeline on the direct path', async () => {
    const controller = new AbortController();
    const out$ = mergeProducers(producer(rx.forever), producer(rx.forever)).pipe(queue({ maxsize: 20 }), consume(rx.withPid, { processes: 2, signal: controller.signal }));
    const pids = new Set<number>();
    const error = await errorOf(out$, ({ pid }) => {
      pids.add(pid);
      controller.abort();
    });
    expectAbortError(error, controller.signal.reason);
    expect(await waitFor(() => activeChildren().length === 0 && [...pids].every((pid) => !isPidAlive(pid)), 5000)).to.equal(true);
  });

  it('should fail at subscription, starting nothing, when the signal is already aborted', async () => {
    const reason = new Error('too late');
    const before = activeChildren().length;
    expectAbortError(await errorOf(producer(rx.forever, { signal: AbortSignal.abort(reason) })), reason);
    expectAbortError(await errorOf(from([1, 2]).pipe(consume(rx.square, { processes: 2, signal: AbortSignal.abort(reason) }))), reason);
    expect(activeChildren().length).to.equal(before);
  });

  it('should complete as usual, and stop listening, when the signal is never aborted', async () => {
    const controller = new AbortController();
    expect(await lastValueFrom(producer(rx.count, { args: ['s', 3], signal: controller.signal }).pipe(consume(rx.identity, { processes: 1, signal: controller.signal }), toArray()))).to.have.members(['s:0', 's:1', 's:2']);
    // Nothing is left listening to it.
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('should refuse a signal that is not an AbortSignal, naming the fix', () => {
    expect(() => producer(rx.forever, { signal: 'stop' as never })).to.throw(TypeError, /`signal` of producer\(\) to be an AbortSignal, got `'stop'` \(string\)\. Pass an AbortController's `signal`/);
    expect(() => consume(rx.square, { signal: { aborted: true } as never })).to.throw(TypeError, /`signal` of consume\(\) to be an AbortSignal, got .* \(object\)/);
  });

  describe("with setStartMethod('inline')", () => {
    let previous: StartMethod;
    before(() => (previous = setStartMethod('inline')));
    after(() => setStartMethod(previous));

    it('should stop the inline pipeline with AbortError', async () => {
      const controller = new AbortController();
      const source = interval(5).pipe(
        take(1000),
        map((i) => i),
      );
      const seen: number[] = [];
      const error = await errorOf(source.pipe(consume(rx.square, { processes: 1, signal: controller.signal })), (value) => {
        seen.push(value);
        if (seen.length === 3) controller.abort('inline stop');
      });
      expectAbortError(error, 'inline stop');
      expect(seen).to.deep.equal([0, 1, 4]);
    });
  });
});
