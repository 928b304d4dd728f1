import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { from, lastValueFrom, map, merge, Subject, toArray, type Observable } from 'rxjs';
import { Pool, ProcessExitError, QueueFullError, activeChildren, consume, getStartMethod, mergeProducers, producer, queue, setStartMethod, type ConsumeOptions, type QueueOperatorOptions } from '../../src/index.js';
import { CONSUME_STATS } from '../../src/operators/consume.js';
import { assertChildrenExitSoon, killConsumerMidStream, removeTempFiles, tempFile, waitFor } from '../helpers.js';
import { captureStderr } from '../stderr-capture.js';
import * as rx from '../fixtures/rx-targets.js';
import * as ct from '../fixtures/contract-targets.js';

type Probe = { item: string; pid: number; ahead: number };

// The reactive contract of producer() → queue() → consume(), whichever data path consume() takes (a
// user cannot see which): the general one (any operator between the producers and queue()), the
// direct one through the parent's queue (an explicit prefetch keeps it), and the broker-free one.
const POOL_PATH = "a Pool's warm workers";

const allPaths: { name: string; pipe: <R>(sources: Observable<string>[], q: QueueOperatorOptions, handler: (...args: never[]) => unknown, options: ConsumeOptions) => Observable<R> }[] = [
  {
    name: 'the general path',
    pipe: (sources, q, handler, options) => merge(...sources).pipe(map((item) => item), queue(q), consume<string, never>(handler as (item: string) => never, options)),
  },
  {
    name: 'the direct path through the parent queue',
    pipe: (sources, q, handler, options) => mergeProducers(...sources).pipe(queue(q), consume<string, never>(handler as (item: string) => never, { prefetch: 4, ...options })),
  },
  {
    name: 'the broker-free path',
    pipe: (sources, q, handler, options) => mergeProducers(...sources).pipe(queue(q), consume<string, never>(handler as (item: string) => never, options)),
  },
  {
    name: POOL_PATH,
    pipe: (sources, q, handler, { processes, ...options }) => merge(...sources).pipe(queue(q), consume<string, never>(handler as (item: string) => never, { ...options, pool: openPool(processes ?? 2) })),
  },
];

// The second run of this file (npm run test:on-redis, RXMP_REDIS_URL set) takes the one path every
// consume() then takes, whatever its source: Redis, whose consumers read the queue in Redis themselves.
const ON_REDIS = process.env.RXMP_REDIS_URL !== undefined;
const paths = ON_REDIS ? [{ ...allPaths[0]!, name: 'the Redis path' }] : allPaths;
// What the parent holds on the Redis path besides the queue: puts waiting for room (up to maxsize).
const parentSlack = (maxsize: number): number => (ON_REDIS ? maxsize : 0);

// The pool path's pools, closed after each test (their workers are this process's children too), in
// the context the other paths run in.
const pools: Pool[] = [];
function openPool(processes: number): Pool {
  const pool = new Pool({ processes, context: getStartMethod() === 'thread' ? 'thread' : 'process' });
  pools.push(pool);
  return pool;
}

function counters(): { pulled: string; started: string; finished: string } {
  return { pulled: tempFile('pulled'), started: tempFile('started'), finished: tempFile('finished') };
}

function count(file: string): number {
  try {
    return readFileSync(file, 'utf8').length / 2;
  } catch {
    return 0;
  }
}

function producers(prefixes: readonly string[], n: number, pulled: string): Observable<string>[] {
  return prefixes.map((prefix) => producer<string>(ct.countPulled, { args: [prefix, n, pulled] }));
}

// Each in child processes and in worker threads (context: 'thread', here through the start method).
for (const context of ON_REDIS ? (['process'] as const) : (['process', 'thread'] as const)) describe(`the consume() contract, on every data path, in ${context}es`.replace('threades', 'threads'), () => {
  let previous: ReturnType<typeof setStartMethod>;
  before(() => (previous = setStartMethod(context === 'thread' ? 'thread' : 'spawn')));
  after(() => setStartMethod(previous));
  after(removeTempFiles);
  // The longest runs (6-9 s each, their subject timers and kills the same code serves in both contexts)
  // run in processes only, and the thread run keeps the suite's time; every path still runs in threads.
  const itLong = (title: string, test: () => Promise<void>, inThreadsToo = false): void => {
    if (context === 'process' || inThreadsToo) it(title, test);
  };

  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool[Symbol.asyncDispose]();
    await assertChildrenExitSoon();
  });

  for (const path of paths) {
    describe(path.name, () => {
      it('should complete only when every item was handled once: completion is join()', async () => {
        const c = counters();
        let finishedAtCompletion = -1;
        const results = await new Promise<Probe[]>((resolve, reject) => {
          const seen: Probe[] = [];
          path.pipe<Probe>(producers(['a', 'b'], 150, c.pulled), { maxsize: 40 }, ct.lagProbe, { processes: 2, args: [c.pulled, c.started, c.finished, 0] }).subscribe({
            next: (r) => seen.push(r),
            error: reject,
            complete: () => {
              finishedAtCompletion = count(c.finished);
              resolve(seen);
            },
          });
        });
        expect(finishedAtCompletion).to.equal(300);
        expect(new Set(results.map((r) => r.item)).size).to.equal(300);
      });

      it('should not pull generators further ahead of the handlers than maxsize and the windows', async () => {
        // 3 producers, maxsize 12, 2 consumers of 20 ms items: the issue measured 65 ahead on the
        // broker-free path and ~530 on the general one. The bound: maxsize, the consumers' windows
        // (about maxsize together) and the producers' (half of maxsize each on the general path), and
        // one value per producer on its way.
        const c = counters();
        const maxsize = 12;
        const results = await lastValueFrom(
          path.pipe<Probe>(producers(['a', 'b', 'c'], 40, c.pulled), { maxsize }, ct.lagProbe, { processes: 2, args: [c.pulled, c.started, c.finished, 20] }).pipe(toArray()),
        );
        expect(results).to.have.length(120);
        const peak = Math.max(...results.map((r) => r.ahead));
        console.log(`      ${path.name}: peak ahead ${peak}`);
        expect(peak).to.be.at.most(maxsize + 12 + 3 * (maxsize / 2) + 3 + parentSlack(maxsize));
      });

      // The pool path reads its producers as the general path does: this 6 s run is the general path's.
      (path.name === POOL_PATH ? () => {} : itLong)('should let slow consumers behind a producer that already exited take their time', async () => {
        // The producer's whole output fits its window: it exits at once, and the parent reads what it
        // left for ~6 s, past the 5 s after which a producer's missing end counts as lost output.
        const c = counters();
        const results = await lastValueFrom(
          path
            .pipe<Probe>([producer<string>(ct.countPulled, { args: ['s', 130, c.pulled], window: 512 })], { maxsize: 10 }, ct.lagProbe, { processes: 1, args: [c.pulled, c.started, c.finished, 45] })
            .pipe(toArray()),
        );
        expect(results).to.have.length(130);
      });

      itLong('should hold its bounds end to end when a consume() stage feeds a smaller queue and slower consumers', async () => {
        const c = counters();
        const second = counters();
        let peak = 0;
        const results = await lastValueFrom(
          path
            .pipe<Probe>(producers(['a', 'b'], 60, c.pulled), { maxsize: 20 }, ct.lagProbe, { processes: 2, args: [c.pulled, c.started, c.finished, 0] })
            .pipe(
              queue({ maxsize: 4, overflow: 'error' }),
              consume<Probe, Probe>(ct.lagProbeOf, {
                processes: 1,
                args: [c.started, second.started, second.finished, 25],
                [CONSUME_STATS]: (s: { buffered: number }) => (peak = Math.max(peak, s.buffered)),
              } as ConsumeOptions),
              toArray(),
            ),
        );
        expect(results).to.have.length(120);
        const ahead = Math.max(...results.map((r) => r.ahead));
        console.log(`      ${path.name}: second stage peak buffered ${peak}, first-stage results ahead ${ahead}`);
        // The first stage's consumers land what they hold after the second queue fills, no more.
        expect(peak).to.be.at.most(4 + 2 * 10);
        expect(ahead).to.be.below(60);
      }, path === paths[0]);
    });
  }

  describe('items that come back or are left behind', () => {
    captureStderr(); // a failing producer prints its crash report
    it("should keep a failed producer's leftovers within the bound: the pipeline fails with its error, not QueueFullError", async () => {
      // The producer yields 100 at once (its window) and fails; the queue holds 4 and the consumer is slow.
      let error: unknown;
      await lastValueFrom(
        producer<number>(rx.failsAfter, { args: [100], window: 100 }).pipe(
          map((n) => n),
          queue({ maxsize: 4, overflow: 'error' }),
          consume<number, unknown>(rx.slowIdentity, { processes: 1, prefetch: 1, args: [10] }),
        ),
      ).catch((e) => (error = e));
      expect(error).to.be.instanceOf(ProcessExitError).with.property('exitCode', 1);
    });

    it("should not count a killed consumer's items put back in the queue as overflow, even with overflow: 'error'", async () => {
      const source = new Subject<number>();
      const results: number[] = [];
      let buffered = 0;
      const done = new Promise<unknown>((resolve) =>
        source
          .pipe(
            queue({ maxsize: 10, overflow: 'error' }),
            consume<number, { item: number }>(rx.slowIdentity, { processes: 2, prefetch: 4, args: [300], [CONSUME_STATS]: (s: { buffered: number }) => (buffered = s.buffered) } as ConsumeOptions),
          )
          .subscribe({ next: (r) => results.push(r.item), error: resolve, complete: () => resolve(null) }),
      );
      // 4 items with each consumer, 9 in the queue: one under maxsize.
      for (let i = 0; i < 17; i++) source.next(i);
      const [victim] = activeChildren();
      victim?.kill();
      // Its 4 items go back to the queue: 13 there, which is no source's doing.
      expect(await waitFor(() => buffered === 13, 10_000), `buffered ${buffered}`).to.equal(true);
      source.next(17);
      source.complete();
      expect(await done).to.equal(null);
      expect(results.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 18 }, (_, i) => i));
    });

    // End to end, once: the test above pins the mechanism (13 in a queue of 10, none of it overflow).
    itLong('should never fail with QueueFullError for the items of a killed consumer put back in the queue', async () => {
      const { seen, killed } = await killConsumerMidStream(
        merge(...['a', 'b', 'c'].map((p) => producer<string>(rx.countSlowly, { args: [p, 40, 2] }))).pipe(
          map((item) => item),
          queue({ maxsize: 10, overflow: 'error' }),
          consume<string, { item: string; pid: number }>(rx.slowIdentity, { processes: 3, prefetch: 4, args: [5] }),
        ),
      );
      expect(killed).to.be.a('number');
      expect(new Set(seen.map((r) => r.item)).size).to.equal(120);
    });
  });

  describe('a source that cannot be paused', () => {
    it('should buffer from(array) of 2,000 in the parent by default, as RxJS operators do', async () => {
      const doubled = await lastValueFrom(from(Array.from({ length: 2000 }, (_, i) => i)).pipe(consume<number, number>(ct.double, { processes: 2 }), toArray()));
      expect(doubled).to.have.length(2000);
      expect(doubled.reduce((a, b) => a + b, 0)).to.equal(2000 * 1999);
    });

    it("should fail with QueueFullError only when asked to, with overflow: 'error'", async () => {
      let error: unknown;
      await lastValueFrom(from(Array.from({ length: 2000 }, (_, i) => i)).pipe(consume<number, number>(ct.double, { processes: 2, overflow: 'error' }))).catch((e) => (error = e));
      expect(error).to.be.instanceOf(QueueFullError).with.property('message').that.matches(/overflow: 'error'/);
    });
  });
});
