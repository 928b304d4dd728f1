import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { count, firstValueFrom, from, lastValueFrom, map, merge, Subject, take, tap, toArray, type Observable } from 'rxjs';
import { ConsumerExitedError, ProcessExitError, QueueFullError, SerializationError, TaskError, activeChildren, consume, producer, queue, setStartMethod, type Target } from '../../src/index.js';
import { CONSUME_STATS } from '../../src/operators/consume.js';
import { assertChildrenExitSoon, isPidAlive, killConsumer, killConsumerMidStream, removeTempFiles, tempFile, waitFor } from '../helpers.js';
import { captureStderr } from '../stderr-capture.js';
import * as rx from '../fixtures/rx-targets.js';

// Every behaviour in child processes, and in worker threads (context: 'thread', set here through the
// start method). What is about timing alone (windows adapting, how far generators are pulled) runs in
// processes only: the data path is the same code in both contexts, and the suite keeps its time.
// The second run of this file, on Redis (npm run test:on-redis), is in processes only, for that time.
for (const context of process.env.RXMP_REDIS_URL ? (['process'] as const) : (['process', 'thread'] as const)) {
const inContext = (title: string): string => (context === 'thread' ? `${title} (in threads)` : title);
const itProcessOnly = context === 'process' ? it : (): void => {};
// Which consumer a result came from: its pid, or its name for threads (they all have this process's pid).
const who = (result: { pid: number; name?: string }): unknown => (context === 'thread' ? result.name : result.pid);
// No consumer left alive: by pid, or in this process's own bookkeeping for threads.
const noneAlive = (pids: readonly number[]): boolean => (context === 'thread' ? activeChildren().length === 0 : !pids.some(isPidAlive));
const useContext = (): void => {
  let previous: ReturnType<typeof setStartMethod>;
  before(() => (previous = setStartMethod(context === 'thread' ? 'thread' : 'spawn')));
  after(() => setStartMethod(previous));
};

describe(inContext('producer()'), () => {
  useContext();
  captureStderr(); // failing producers print their crash report; the tests read it in stderrTail
  afterEach(() => assertChildrenExitSoon());
  after(removeTempFiles);

  it('should emit what a generator yields in a child, then complete', async () => {
    expect(await lastValueFrom(producer<string>(rx.count, { args: ['a', 5] }).pipe(toArray()))).to.deep.equal(['a:0', 'a:1', 'a:2', 'a:3', 'a:4']);
  });

  it('should emit the values of a returned array, a returned value, or items put into its queue', async () => {
    expect(await lastValueFrom(producer<number>(rx.returnsArray, { args: [3] }).pipe(toArray()))).to.deep.equal([0, 10, 20]);
    expect(await lastValueFrom(producer(rx.returnsValue).pipe(toArray()))).to.deep.equal([{ answer: 42 }]);
    expect(await lastValueFrom(producer<string>(rx.putsIntoQueue, { args: [2], queue: true }).pipe(toArray()))).to.deep.equal(['put:0', 'put:1']);
  });

  it('should be cold: each subscription forks its own child', async () => {
    const numbers$ = producer<string>(rx.count, { args: ['c', 2] });
    const [a, b] = await Promise.all([lastValueFrom(numbers$.pipe(toArray())), lastValueFrom(numbers$.pipe(toArray()))]);
    expect(a).to.deep.equal(['c:0', 'c:1']);
    expect(b).to.deep.equal(a);
  });

  it('should error with ProcessExitError when the child fails, after the values it produced', async () => {
    const seen: number[] = [];
    const error = await new Promise<unknown>((resolve) =>
      producer<number>(rx.failsAfter, { args: [3] }).subscribe({ next: (v) => seen.push(v), error: resolve, complete: () => resolve(null) }),
    );
    expect(seen).to.deep.equal([0, 1, 2]);
    expect(error).to.be.instanceOf(ProcessExitError).with.property('exitCode', 1);
    expect((error as ProcessExitError).pid).to.be.a('number');
    expect((error as ProcessExitError).stderrTail).to.match(/Error: producer broke\n\s+at failsAfter/);
    expect((error as ProcessExitError).message).to.match(/stderr \(tail\)[\s\S]*producer broke/);
  });

  it('should fail on a value that cannot be sent, after closing the generator as a for...of would', async () => {
    const log = tempFile('log');
    const seen: unknown[] = [];
    const error = await new Promise<unknown>((resolve) =>
      producer(rx.uncloneableAfter, { args: [2, log] }).subscribe({ next: (v) => seen.push(v), error: resolve, complete: () => resolve(null) }),
    );
    expect(seen).to.deep.equal([0, 1]);
    expect(error).to.be.instanceOf(ProcessExitError).with.property('exitCode', 1);
    expect((error as ProcessExitError).stderrTail).to.match(/SerializationError/);
    // Its finally block ran, and the generator was not resumed past the value that failed.
    expect(readFileSync(log, 'utf8')).to.equal('closed\n');
  });

  it('should terminate the child when unsubscribed (an endless generator)', async () => {
    const values = await firstValueFrom(producer<number>(rx.forever).pipe(take(100), toArray()));
    expect(values).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
  });

  it('should emit each value as it is produced, even while the generator computes without yielding', async () => {
    const ack = tempFile('ack');
    const values = await lastValueFrom(producer<string>(rx.yieldThenCompute, { args: [ack] }).pipe(tap((v) => v === 'first' && writeFileSync(ack, '')), toArray()));
    expect(values).to.deep.equal(['first', 'acked']);
  });

  itProcessOnly('should refuse a target a child cannot import, at once', () => {
    expect(() => producer((() => 1) as () => number)).to.throw(/cannot be imported by a child process/);
  });
});

describe(inContext('queue() + consume()'), () => {
  useContext();
  afterEach(() => assertChildrenExitSoon());
  after(removeTempFiles);

  it('should consume every item exactly once with 3 producers and 2 consumers, completing after the last', async () => {
    const results = await lastValueFrom(
      merge(...['p1', 'p2', 'p3'].map((p) => producer<string>(rx.count, { args: [p, 300] }))).pipe(
        queue({ maxsize: 50 }),
        consume<string, { item: string; pid: number; name: string }>(rx.withPid, { processes: 2 }),
        toArray(),
      ),
    );
    expect(results).to.have.length(900);
    expect(new Set(results.map((r) => r.item)).size).to.equal(900);
    expect(new Set(results.map(who)).size).to.equal(2);
  });

  itProcessOnly('should lose no item when producers exit while their last items are still on the way (1 KiB items, tight queue)', async () => {
    // Stress for a bug the benchmark hit once: the producer loop raced channel.get() against the
    // child's exit, and a get that lost stayed registered and swallowed the next item (there, the end
    // marker). The race is rare; this run makes exits and late items frequent, and counts every item.
    const n = await lastValueFrom(
      merge(...['a', 'b', 'c'].map((p) => producer<string>(rx.kibItems, { args: [p, 3000] }))).pipe(
        queue({ maxsize: 10 }),
        consume<string, number>(rx.length, { processes: 2, prefetch: 64 }),
        count(),
      ),
    );
    expect(n).to.equal(9000);
  });

  it('should terminate daemon consumers as soon as the output completes', async () => {
    const results = await lastValueFrom(from([1, 2, 3, 4]).pipe(consume<number, { item: number; pid: number }>(rx.withPid, { processes: 2, daemon: true }), toArray()));
    const pids = [...new Set(results.map((r) => r.pid))];
    expect(results.map((r) => r.item).sort()).to.deep.equal([1, 2, 3, 4]);
    expect(await waitFor(() => noneAlive(pids), 2000)).to.equal(true);
  });

  it('should let non-daemon consumers finish and exit by themselves before completing', async () => {
    const results = await lastValueFrom(from([1, 2, 3]).pipe(consume<number, { item: number; pid: number }>(rx.withPid, { processes: 2, daemon: false }), toArray()));
    const pids = [...new Set(results.map((r) => r.pid))];
    expect(results).to.have.length(3);
    expect(noneAlive(pids)).to.equal(true);
  });

  it("should emit each result as its handler returns, not after the consumer's prefetched items", async () => {
    const ack = tempFile('ack');
    const results = await lastValueFrom(
      from(['first', 'second']).pipe(consume<string, string>(rx.computeUntilAcked, { processes: 1, prefetch: 4, args: [ack] }), tap((r) => r === 'first' && writeFileSync(ack, '')), toArray()),
    );
    expect(results).to.deep.equal(['first', 'acked']);
  });

  itProcessOnly("should widen each consumer's window while its items are fast, and keep it at 4 while they are slow", async () => {
    const peakInflight = async (source: Observable<number>, handler: Target, args: unknown[]): Promise<number> => {
      let peak = 0;
      const stats = (s: { inflight: number }) => (peak = Math.max(peak, s.inflight));
      const results = await lastValueFrom(source.pipe(consume<number, unknown>(handler as (item: number) => unknown, { processes: 2, args, [CONSUME_STATS]: stats } as object), count()));
      expect(results).to.be.greaterThan(0);
      return peak;
    };
    // Fast: windows grow from 4 by doubling towards maxsize (1,000), far past the 2 x 4 a fixed default allowed.
    // (The map() keeps the general path, where this process dispatches every item: see mergeProducers.)
    expect(await peakInflight(producer<number>(rx.returnsArray, { args: [20_000] }).pipe(map((n) => n)), rx.square, [])).to.be.greaterThan(64);
    // Slow (5 ms an item): each consumer holds at most 4 items, so an idle one is never short of work.
    expect(await peakInflight(from(Array.from({ length: 40 }, (_, i) => i)), rx.slowIdentity, [5])).to.be.at.most(8);
  });

  itProcessOnly("should shrink a grown window back once the items turn slow", async () => {
    // 2,000 fast items grow each window to its cap (maxsize 200 shared: 100 each), then 300 items of
    // 3 ms. At most ~200 of those can be handed out before the windows shrink; over the last 50,
    // each consumer holds at most 4 again.
    let slowDone = 0;
    let peakEarly = 0;
    let peakLate = 0;
    const stats = (s: { inflight: number }) => {
      if (slowDone === 0) peakEarly = Math.max(peakEarly, s.inflight);
      if (slowDone >= 250) peakLate = Math.max(peakLate, s.inflight);
    };
    const results = await lastValueFrom(
      producer<number>(rx.returnsArray, { args: [2300] }).pipe(
        map((n) => n), // the general path, whose dispatcher the stats hook watches
        queue({ maxsize: 200 }),
        consume<number, number>(rx.slowFrom, { processes: 2, args: [20_000, 3], [CONSUME_STATS]: stats } as object),
        tap((item) => item >= 20_000 && slowDone++),
        count(),
      ),
    );
    expect(results).to.equal(2300);
    expect(peakEarly).to.be.greaterThan(16);
    expect(peakLate).to.be.greaterThan(0);
    expect(peakLate).to.be.at.most(8);
  });

  itProcessOnly("should pull a producer's generator, sync or async, only while its window and the queue have room", async () => {
    for (const target of [rx.countLogged, rx.countLoggedAsync]) {
      const log = tempFile('pulled');
      const first = await firstValueFrom(
        producer<number>(target, { args: [1000, log], window: 5 }).pipe(
          map((n) => n), // the general path: the producer's own window, then the gate (see mergeProducers)
          queue({ maxsize: 2 }),
          consume<number, unknown>(rx.slowIdentity, { processes: 1, prefetch: 1, args: [300] }),
        ),
      );
      expect(first).to.have.property('item', 0);
      const pulled = readFileSync(log, 'utf8').trim().split('\n').length;
      // window 5 in the channel, maxsize 2 (+1 landing as the gate shuts), 1 with the consumer, 1 waiting for credit
      expect(pulled, target.name).to.be.at.least(5).and.at.most(12);
    }
  });

  it('should keep ordered results in source order', async () => {
    const squares = await lastValueFrom(from([1, 2, 3, 4, 5, 6, 7, 8]).pipe(consume<number, number>(rx.square, { processes: 3, ordered: true }), toArray()));
    expect(squares).to.deep.equal([1, 4, 9, 16, 25, 36, 49, 64]);
  });

  itProcessOnly('should hold merged producers 100x faster than the consumers within maxsize plus one item per producer', async () => {
    const maxsize = 20;
    let peak = 0;
    const results = await lastValueFrom(
      merge(...['a', 'b', 'c'].map((p) => producer<string>(rx.count, { args: [p, 100] }))).pipe(
        queue({ maxsize }),
        consume<string, unknown>(rx.slowIdentity, { processes: 2, args: [2], [CONSUME_STATS]: (s: { buffered: number }) => (peak = Math.max(peak, s.buffered)) } as object),
        toArray(),
      ),
    );
    expect(results).to.have.length(300);
    expect(peak).to.be.at.most(maxsize + 3);
    expect(peak).to.be.at.least(maxsize / 2);
  });

  it("should error with QueueFullError when a plain Observable overfills the queue (overflow: 'error')", async () => {
    const source = new Subject<number>();
    const done = lastValueFrom(source.pipe(queue({ maxsize: 5, overflow: 'error' }), consume<number, unknown>(rx.slowIdentity, { processes: 1, args: [50] })), { defaultValue: undefined });
    for (let i = 0; i < 20; i++) source.next(i);
    source.complete();
    let error: unknown;
    await done.catch((e) => (error = e));
    expect(error).to.be.instanceOf(QueueFullError).with.property('message').that.matches(/overflow: 'error'/);
  });

  it('should take a synchronous burst of a plain Observable that the consumers can hold beyond maxsize', async () => {
    // 1,005 items: maxsize 1,000 in the buffer, the rest in the consumers' first windows (4 each).
    const results = await lastValueFrom(from(Array.from({ length: 1005 }, (_, i) => i)).pipe(consume<number, number>(rx.square, { processes: 2 }), count()));
    expect(results).to.equal(1005);
  });

  it("should accept a plain Observable beyond maxsize by default (overflow: 'buffer')", async () => {
    const results = await lastValueFrom(from(Array.from({ length: 50 }, (_, i) => i)).pipe(queue({ maxsize: 5 }), consume<number, number>(rx.square, { processes: 2 }), toArray()));
    expect(results).to.have.length(50);
  });

  it('should redeliver the items of a consumer killed mid-stream: none lost', async () => {
    const { seen, killed } = await killConsumerMidStream(
      producer<string>(rx.count, { args: ['k', 60] }).pipe(
        map((item) => item), // the general path (see mergeProducers' tests for the direct one)
        queue({ maxsize: 10 }),
        consume<string, { item: string; pid: number }>(rx.slowIdentity, { processes: 2, args: [10] }),
      ),
    );
    expect(killed).to.be.a('number');
    const items = new Set(seen.map((r) => r.item));
    expect(items.size).to.equal(60);
    expect(seen.filter((r) => r.item.startsWith('k:')).length).to.be.at.least(60);
  });

  it("should error with ConsumerExitedError counting lost items when onConsumerExit is 'error'", async () => {
    let error: unknown;
    await new Promise<void>((resolve) => {
      from(Array.from({ length: 40 }, (_, i) => i))
        .pipe(consume<number, { pid: number; name: string }>(rx.slowIdentity, { processes: 2, args: [20], onConsumerExit: 'error' }))
        .subscribe({
          next: (r) => {
            if (error === undefined) {
              error = null;
              killConsumer(r);
            }
          },
          error: (e) => {
            error = e;
            resolve();
          },
          complete: resolve,
        });
    });
    expect(error).to.be.instanceOf(ConsumerExitedError);
    expect((error as ConsumerExitedError).lostItems).to.be.at.least(1);
  });

  it('should treat process.exit() in a handler as the consumer exiting, after the results before it', async () => {
    const seen: number[] = [];
    const error = await lastValueFrom(
      from([1, 2, 3, 4]).pipe(consume<number, number>(rx.exitsOn, { processes: 1, args: [3], onConsumerExit: 'error' }), tap((v) => seen.push(v))),
    ).catch((e: unknown) => e);
    // 1's result leaves at once, 2's is still held for batching when 3 exits: both must arrive.
    expect(error).to.be.instanceOf(ConsumerExitedError).with.property('exitCode', 5);
    expect((error as ConsumerExitedError).lostItems).to.equal(2);
    expect(seen).to.deep.equal([1, 2]);
  });

  it("should fail fast with the child's stack when a handler throws, or skip with onError: 'skip'", async () => {
    let error: unknown;
    await lastValueFrom(from([1, 2, 3]).pipe(consume<number, number>(rx.failOn, { processes: 1, args: [2] }))).catch((e) => (error = e));
    expect(error).to.be.instanceOf(TaskError).with.property('message').that.matches(/RangeError: bad item 2[\s\S]*at failOn/);
    const kept = await lastValueFrom(from([1, 2, 3]).pipe(consume<number, number>(rx.failOn, { processes: 1, args: [2], onError: 'skip', ordered: true }), toArray()));
    expect(kept).to.deep.equal([1, 3]);
  });

  it('should pair every outcome with its item when a consumer sends many at once, failures among them', async () => {
    // Fast synchronous handlers: each consumer sends its outcomes in batches (up to 512 values, an
    // error ending one), so item i's outcome must still be found as the i-th of its consumer's.
    const items = Array.from({ length: 3000 }, (_, i) => i + 1);
    const kept = await lastValueFrom(
      from(items).pipe(consume<number, number>(rx.failOnMultiplesOf, { processes: 2, prefetch: 1024, maxsize: 5000, args: [7], onError: 'skip', ordered: true }), toArray()),
    );
    expect(kept).to.deep.equal(items.filter((i) => i % 7 !== 0));
  });

  it('should emit the values sent before a failure, then fail with the failing item', async () => {
    const seen: number[] = [];
    const error = await lastValueFrom(from(Array.from({ length: 20 }, (_, i) => i + 1)).pipe(consume<number, number>(rx.failOnMultiplesOf, { processes: 1, args: [7] }), tap((v) => seen.push(v)))).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TaskError).with.property('seq', 6);
    expect((error as TaskError).message).to.match(/bad item 7/);
    expect(seen).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('should fail only its own item when a result cannot be sent, or when an async handler rejects', async () => {
    const items = Array.from({ length: 10 }, (_, i) => i + 1);
    const seen: number[] = [];
    const error = await lastValueFrom(from(items).pipe(consume<number, number>(rx.uncloneableOn as (item: number, bad: number) => number, { processes: 1, args: [3] }), tap((v) => seen.push(v)))).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskError).with.property('seq', 2);
    expect((error as TaskError).remoteName).to.equal('SerializationError');
    expect(seen).to.deep.equal([1, 2]);
    const skipped = await lastValueFrom(from(items).pipe(consume<number, number>(rx.uncloneableOn as (item: number, bad: number) => number, { processes: 1, args: [3], onError: 'skip', ordered: true }), toArray()));
    expect(skipped).to.deep.equal(items.filter((i) => i !== 3));
    const rejected = await lastValueFrom(from(items).pipe(consume<number, number>(rx.rejectsOn, { processes: 1, args: [4], onError: 'skip', ordered: true }), toArray()));
    expect(rejected).to.deep.equal(items.filter((i) => i !== 4));
  });

  it('should fail with SerializationError naming an item that cannot be sent to a consumer, and end the consumers', async () => {
    const error = await lastValueFrom(from<unknown[]>([1, () => 2, 3]).pipe(consume<unknown, unknown>(rx.identity, { processes: 2 }), toArray())).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SerializationError).with.property('path', 'item');
    await assertChildrenExitSoon();
  });

  it('should tear every process down when the output is unsubscribed', async () => {
    const pids = new Set<number>();
    const consumers = new Set<unknown>();
    const subscription = producer<number>(rx.forever)
      .pipe(queue({ maxsize: 10 }), consume<number, { pid: number; name: string }>(rx.withPid, { processes: 2 }))
      .subscribe((r) => {
        pids.add(r.pid);
        consumers.add(who(r));
      });
    await waitFor(() => consumers.size === 2, 10_000);
    subscription.unsubscribe();
    expect(await waitFor(() => noneAlive([...pids]), 3000)).to.equal(true);
  });

  it("should run the seed's get()/taskDone() loop consumers with taskDone: 'manual', emitting what they yield", async () => {
    const eaten = await lastValueFrom(
      merge(...['p1', 'p2', 'p3'].map((p) => producer<string>(rx.count, { args: [p, 30] }))).pipe(
        queue({ maxsize: 8 }),
        consume<string, string>(rx.eatLoop, { processes: 2, taskDone: 'manual', args: ['alex'] }),
        toArray(),
      ),
    );
    expect(eaten).to.have.length(90);
    expect(new Set(eaten).size).to.equal(90);
    expect(eaten.every((line) => line.startsWith('alex ate p'))).to.equal(true);
  });

  it("should complete after the last taskDone of manual consumers that emit nothing", async () => {
    const out = await lastValueFrom(from(['a', 'b', 'c', 'd']).pipe(consume<string, never>(rx.eatQuietly, { processes: 2, taskDone: 'manual' }), toArray()));
    expect(out).to.deep.equal([]);
  });

  itProcessOnly('should validate options when the operator is created', () => {
    expect(() => consume(rx.eatQuietly, { taskDone: 'manual', daemon: false })).to.throw(TypeError, /loop on get\(\) forever/);
    expect(() => queue({ maxsize: -1 })).to.throw(TypeError, /`maxsize` to be a positive integer or Infinity, got `-1` \(number\)/);
    expect(() => consume(rx.square, { processes: 0 })).to.throw(TypeError, /`processes`/);
    expect(() => consume(rx.square, { onConsumerExit: 'retry' as 'error' })).to.throw(TypeError, /onConsumerExit/);
  });
});
}
