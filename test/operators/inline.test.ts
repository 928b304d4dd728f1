import { expect } from 'chai';
import { catchError, from, lastValueFrom, merge, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TaskError, consume, mergeProducers, producer, queue, setStartMethod, activeChildren } from '../../src/index.js';
import * as rx from '../fixtures/rx-targets.js';

// The 'inline' start method: the same operators without processes, so pipelines are marble-testable.
describe("setStartMethod('inline')", () => {
  let scheduler: TestScheduler;
  before(() => setStartMethod('inline'));
  after(() => setStartMethod('spawn'));
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    });
  });
  afterEach(() => expect(activeChildren()).to.have.length(0));

  it('should map every item through the handler and complete with the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|', { a: 1, b: 2, c: 3 });
      expectObservable(source.pipe(queue({ maxsize: 10 }), consume(rx.square, { processes: 2 }))).toBe('-x-y-z|', { x: 1, y: 4, z: 9 });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('should complete only once every item is done, at the source’s completion frame for sync handlers', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('(abc|)', { a: 1, b: 2, c: 3 }).pipe(consume(rx.square, { processes: 1 }))).toBe('(xyz|)', { x: 1, y: 4, z: 9 });
    });
  });

  it('should fail fast with TaskError and unsubscribe the source at that frame', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|', { a: 1, b: 2, c: 3 });
      const out = source.pipe(
        consume(rx.failOn, { processes: 1, args: [2] }),
        catchError((e: unknown) => of(e instanceof TaskError && /RangeError: bad item 2/.test(e.message) ? 'TaskError' : String(e))),
      );
      expectObservable(out).toBe('-a-(e|)', { a: 1, e: 'TaskError' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it("should skip failed items with onError: 'skip'", () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c|', { a: 1, b: 2, c: 3 }).pipe(consume(rx.failOn, { processes: 2, args: [2], onError: 'skip' }))).toBe('-a---c|', { a: 1, c: 3 });
    });
  });

  it('should unsubscribe the source when the output is unsubscribed', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d|', { a: 1, b: 2, c: 3, d: 4 });
      expectObservable(source.pipe(consume(rx.square, { processes: 2 })), '^--!').toBe('-x-', { x: 1 });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it("should run producers' generators in this process", () => {
    scheduler.run(({ expectObservable }) => {
      expectObservable(producer(rx.count, { args: ['p', 3] })).toBe('(abc|)', { a: 'p:0', b: 'p:1', c: 'p:2' });
    });
  });

  it('should run the seed pipeline in-process: 3 producers, a queue, 2 consumers, every item once', async () => {
    for (const mergeAll of [merge, mergeProducers]) {
      const out = await lastValueFrom(
        mergeAll(...['a', 'b', 'c'].map((p) => producer<string>(rx.count, { args: [p, 5] }))).pipe(
          queue({ maxsize: 4 }),
          consume<string, { item: string; pid: number; name: string }>(rx.slowIdentity, { processes: 2, args: [1] }),
          toArray(),
        ),
      );
      expect(new Set(out.map((r) => r.item)).size, mergeAll.name).to.equal(15);
      expect(new Set(out.map((r) => r.pid))).to.deep.equal(new Set([process.pid]));
    }
  });

  it('should feed a queue-style producer from what the target puts', async () => {
    expect(await lastValueFrom(producer<string>(rx.putsIntoQueue, { args: [3], queue: true }).pipe(toArray()))).to.deep.equal(['put:0', 'put:1', 'put:2']);
  });

  it("should run manual get()/taskDone() consumers in-process too", async () => {
    const eaten = await lastValueFrom(from(['a', 'b', 'c']).pipe(consume<string, string>(rx.eatLoop, { processes: 2, taskDone: 'manual', args: ['alex'] }), toArray()));
    expect(eaten.sort()).to.deep.equal(['alex ate a', 'alex ate b', 'alex ate c']);
  });

  it('should refuse an unknown start method', () => {
    expect(() => setStartMethod('fork' as 'spawn')).to.throw(TypeError, /'spawn', 'forkserver', 'thread' or 'inline'/);
  });
});
