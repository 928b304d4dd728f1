import { expect } from 'chai';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { ConsumerExitedError, JoinableQueue, TargetResolutionError, activeChildren, consume, mergeProducers, producer, queue, setStartMethod } from '../../src/index.js';
import { assertChildrenExitSoon } from '../helpers.js';
import { consumersFail } from '../stderr-capture.js';
import * as rx from '../fixtures/rx-targets.js';

type Tagged = { item: string; pid: number; tag: string | undefined };

// Every way items reach consumers: the parent dispatching them (a plain Observable), the parent's
// queue between producer and consumer children (an explicit prefetch keeps that path), and producer
// children writing straight to the consumers (broker-free).
const paths: { name: string; failing: Parameters<typeof consumersFail>[0]; items: number; run: (options: Parameters<typeof consume>[1]) => Observable<Tagged> }[] = [
  { name: 'the general path', failing: 'init-general', items: 6, run: (options) => from(['a', 'b', 'c', 'd', 'e', 'f']).pipe(consume<string, Tagged>(rx.withInitTag, options)) },
  {
    name: 'the direct path through the parent queue',
    failing: 'init-direct',
    items: 40,
    run: (options) => producer<string>(rx.count, { args: ['x', 40] }).pipe(queue({ maxsize: 20 }), consume<string, Tagged>(rx.withInitTag, { ...options, prefetch: 4 })),
  },
  {
    name: 'the broker-free path',
    failing: 'init-broker-free',
    items: 80,
    run: (options) =>
      mergeProducers(producer<string>(rx.count, { args: ['x', 40] }), producer<string>(rx.count, { args: ['y', 40] })).pipe(
        queue({ maxsize: 100 }),
        consume<string, Tagged>(rx.withInitTag, options),
      ),
  },
];

describe('consume({ initializer, initargs })', () => {
  afterEach(() => assertChildrenExitSoon());

  for (const path of paths) {
    it(`should run the initializer once in each consumer, before its first item, on ${path.name}`, async () => {
      const report = new JoinableQueue<number>();
      const results = await lastValueFrom(path.run({ processes: 2, initializer: rx.rememberTag, initargs: [report, 'db', 50] }).pipe(toArray()));
      // Each initializer waited 50 ms before it set the tag: a handler that ran first would see none.
      expect(results).to.have.length(path.items);
      expect(new Set(results.map((r) => r.tag))).to.deep.equal(new Set(['db']));
      // A consumer still in its initializer when the last item is done is terminated with the rest:
      // every consumer that handled an item had run it, each once.
      const initialized: number[] = [];
      while (report.qsize() > 0) initialized.push(report.getNowait());
      expect(initialized.length).to.be.within(1, 2);
      expect(new Set(initialized).size).to.equal(initialized.length);
      for (const { pid } of results) expect(initialized).to.include(pid);
    });

    it(`should fail with ConsumerExitedError when every consumer's initializer throws, on ${path.name}`, async () => {
      // The same pipeline (processes: 2, initializer: rx.failsToInitialize), in a script whose stderr is read.
      const failed = await consumersFail(path.failing);
      expect(failed).to.include({ name: ConsumerExitedError.name, exitCode: 1 });
      expect(failed.cause).to.include({ name: 'Error', message: 'cannot reach the database' });
      expect(failed.stderr).to.match(/(^|\n)Process Process-\d+:\nError: cannot reach the database\n\s+at failsToInitialize/);
    });
  }

  it("should run it before the target of manual (taskDone: 'manual') consumers", async () => {
    const report = new JoinableQueue<number>();
    const eaten = await lastValueFrom(
      from(['a', 'b', 'c']).pipe(consume<string, string>(rx.eatWithInitTag, { processes: 2, taskDone: 'manual', initializer: rx.rememberTag, initargs: [report, 'db', 50] }), toArray()),
    );
    expect(eaten.sort()).to.deep.equal(['db:a', 'db:b', 'db:c']);
    expect(report.qsize()).to.be.within(1, 2);
  });

  it('should refuse an initializer a child cannot import, or initargs that are not an array, when the operator is created', () => {
    expect(() => consume(rx.square, { initializer: () => undefined })).to.throw(TargetResolutionError, /consumer initializer .*cannot be imported by a child process/);
    expect(() => consume(rx.square, { initializer: rx.countInit, initargs: 'db' as unknown as unknown[] })).to.throw(TypeError, /`initargs` to be an array/);
    expect(() => consume(rx.square, { initializer: 'countInit' as unknown as () => void })).to.throw(TypeError, /`initializer` to be a function/);
    expect(activeChildren()).to.have.length(0);
  });

  describe("with setStartMethod('inline')", () => {
    before(() => setStartMethod('inline'));
    after(() => setStartMethod('spawn'));

    it('should run a synchronous initializer once per virtual consumer before the first item, keeping the pipeline synchronous', () => {
      const before = rx.initRunsSoFar();
      const seen: Tagged[] = [];
      from(['a', 'b']).pipe(consume<string, Tagged>(rx.withInitTag, { processes: 3, initializer: rx.countInit })).subscribe((r) => seen.push(r));
      expect(rx.initRunsSoFar() - before).to.equal(3);
      expect(seen.map((r) => r.tag)).to.deep.equal([`run ${before + 3}`, `run ${before + 3}`]);
    });

    it('should wait for an async initializer, and fail the output with the error of one that throws', async () => {
      const report = new JoinableQueue<number>();
      const results = await lastValueFrom(from(['a']).pipe(consume<string, Tagged>(rx.withInitTag, { processes: 2, initializer: rx.rememberTag, initargs: [report, 'inline', 30] }), toArray()));
      expect(results.map((r) => r.tag)).to.deep.equal(['inline']);
      expect(report.qsize()).to.equal(2);
      const error = await lastValueFrom(from(['a']).pipe(consume(rx.withInitTag, { initializer: rx.failsToInitialize }))).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error).with.property('message', 'cannot reach the database');
    });
  });
});
