import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { count, firstValueFrom, lastValueFrom, map, merge, tap, toArray, type Observable } from 'rxjs';
import { ConsumerExitedError, ProcessExitError, SerializationError, TaskError, activeChildren, consume, mergeProducers, producer, queue } from '../../src/index.js';
import { assertChildrenExitSoon, isPidAlive, killConsumerMidStream, removeTempFiles, tempFile, waitFor } from '../helpers.js';
import { captureStderr, consumersFail } from '../stderr-capture.js';
import * as rx from '../fixtures/rx-targets.js';

// The direct paths: producer children write their batches straight to the consumer children (or,
// with queue: true, an explicit prefetch or a tiny maxsize, put them into a queue of this process
// that forwards them undecoded). A TaskError's seq tells the direct and general paths apart from
// outside: -1 where this process never saw the item, its position in the source where it did.
describe('mergeProducers() and the direct path', () => {
  afterEach(() => assertChildrenExitSoon());
  captureStderr(); // failing producers and consumers print their crash report
  after(removeTempFiles);

  it('should emit what every producer produces when subscribed directly, as merge does', async () => {
    const values = await lastValueFrom(mergeProducers(producer<string>(rx.count, { args: ['a', 3] }), producer<string>(rx.count, { args: ['b', 2] })).pipe(toArray()));
    expect(values.sort()).to.deep.equal(['a:0', 'a:1', 'a:2', 'b:0', 'b:1']);
  });

  it('should hand every item of 3 producers to 2 consumers exactly once, and complete after the last', async () => {
    const results = await lastValueFrom(
      mergeProducers(...['a', 'b', 'c'].map((p) => producer<string>(rx.count, { args: [p, 400] }))).pipe(
        queue({ maxsize: 50 }),
        consume<string, { item: string; pid: number }>(rx.withPid, { processes: 2 }),
        toArray(),
      ),
    );
    // (Which consumer takes what is up to their windows: one may well take everything.)
    const items = results.map((r) => r.item).sort();
    expect(items).to.have.length(1200);
    expect(new Set(items).size).to.equal(1200);
  });

  it('should carry 1 KiB items and items a target puts into its queue (queue: true)', async () => {
    const lengths = await lastValueFrom(
      mergeProducers(producer<string>(rx.kibItems, { args: ['k', 300] }), producer<string>(rx.putsIntoQueue, { args: [200], queue: true })).pipe(
        queue({ maxsize: 20 }),
        consume<string, number>(rx.length, { processes: 2 }),
        toArray(),
      ),
    );
    expect(lengths).to.have.length(500);
    expect(lengths.filter((n) => n > 1000)).to.have.length(300);
  });

  it('should pull a producer only while the queue has room', async () => {
    const log = tempFile('pulled');
    const first = await firstValueFrom(
      producer<number>(rx.countLogged, { args: [1000, log] }).pipe(queue({ maxsize: 2 }), consume<number, unknown>(rx.slowIdentity, { processes: 1, prefetch: 1, args: [300] })),
    );
    expect(first).to.have.property('item', 0);
    const pulled = readFileSync(log, 'utf8').trim().split('\n').length;
    // maxsize 2 as credit, 1 with the consumer, 1 waiting for credit; 1,000 if nothing held it back
    expect(pulled).to.be.at.least(3).and.at.most(8);
  });

  it('should spread slow items over every consumer, however much room the queue has', async () => {
    const results = await lastValueFrom(
      producer<string>(rx.count, { args: ['s', 8] }).pipe(queue({ maxsize: 1000 }), consume<string, { item: string; pid: number }>(rx.slowIdentity, { processes: 4, args: [100] }), toArray()),
    );
    expect(results).to.have.length(8);
    // One consumer would hold all 8 had the credit not followed their speed (a window of one item).
    expect(new Set(results.map((r) => r.pid)).size).to.be.at.least(3);
  });

  it('should pull a producer no further ahead than the queue bound allows, without a queue in between', async () => {
    const log = tempFile('pulled-free');
    const first = await firstValueFrom(
      producer<number>(rx.countLogged, { args: [1000, log] }).pipe(queue({ maxsize: 8 }), consume<number, unknown>(rx.slowIdentity, { processes: 1, args: [300] })),
    );
    expect(first).to.have.property('item', 0);
    const pulled = readFileSync(log, 'utf8').trim().split('\n').length;
    // In flight: maxsize 8 plus the consumer's largest window (16) at most, and a batch of 24 being
    // filled; 1,000 if nothing held the producer back.
    expect(pulled).to.be.at.least(2).and.at.most(48);
  });

  it('should send an outcome as its synchronous handler returns, not after the items prefetched with it', async () => {
    const ack = tempFile('ack');
    const results = await lastValueFrom(
      producer<string>(rx.yieldEach, { args: [['first', 'second']] }).pipe(
        consume<string, string>(rx.computeUntilAcked, { processes: 1, prefetch: 4, args: [ack] }),
        tap((r) => r === 'first' && writeFileSync(ack, '')),
        toArray(),
      ),
    );
    expect(results).to.deep.equal(['first', 'acked']);
  });

  it('should report each outcome exactly once when a consumer is killed mid-stream, and lose no item', async () => {
    const { seen, killed } = await killConsumerMidStream(
      producer<string>(rx.count, { args: ['k', 60] }).pipe(queue({ maxsize: 10 }), consume<string, { item: string; pid: number }>(rx.slowIdentity, { processes: 2, args: [10] })),
    );
    expect(killed).to.be.a('number');
    expect(seen).to.have.length(60);
    expect(new Set(seen.map((r) => r.item)).size).to.equal(60);
    expect(seen.slice(10).every((r) => r.pid !== killed)).to.equal(true);
  });

  it('should hand a dead consumer\'s batch to another even after its producer has produced everything', async () => {
    // 30 items fit in flight at once: the producer is done producing before the first outcome, and
    // the one batch goes to one consumer. The producer must still have it when that consumer dies.
    const { seen, killed } = await killConsumerMidStream(
      producer<string>(rx.count, { args: ['k', 30] }).pipe(queue({ maxsize: 1000 }), consume<string, { item: string; pid: number }>(rx.slowIdentity, { processes: 2, args: [10] })),
    );
    expect(killed).to.be.a('number');
    expect(seen.map((r) => r.item).sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => `k:${i}`).sort());
    expect(seen.slice(10).every((r) => r.pid !== killed)).to.equal(true);
  });

  it('should fail with ConsumerExitedError, not hang, when the consumers cannot import their handler', async () => {
    // producer(count, ['x', 20]) → queue(100) → consume(unreachableHandler, 2 processes), in a script whose stderr is read.
    const failed = await consumersFail('unimportable');
    expect(failed).to.include({ name: ConsumerExitedError.name, exitCode: 1 });
    expect(failed.stderr).to.match(/(^|\n)Process Process-\d+:\nTargetResolutionError: /);
  });

  it('should fail with ConsumerExitedError when no consumer is left', async () => {
    const error = await lastValueFrom(
      producer<string>(rx.count, { args: ['x', 20] }).pipe(
        queue({ maxsize: 5 }),
        consume<string, { pid: number }>(rx.slowIdentity, { processes: 1, args: [20] }),
        tap((r) => process.kill(r.pid, 'SIGKILL')),
      ),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConsumerExitedError);
    expect((error as ConsumerExitedError).lostItems).to.be.at.least(1);
  });

  it('should report the outcomes a consumer had before it ended with process.exit(), then count what is lost', async () => {
    const seen: number[] = [];
    const error = await lastValueFrom(
      producer<number>(rx.returnsArray, { args: [4] }).pipe(consume<number, number>(rx.exitsOn, { processes: 1, args: [20] }), tap((v) => seen.push(v))),
    ).catch((e: unknown) => e);
    // 0's outcome leaves at once, 10's is still held for batching when 20 exits: both must arrive.
    expect(error).to.be.instanceOf(ConsumerExitedError).with.property('exitCode', 5);
    expect((error as ConsumerExitedError).lostItems).to.equal(2);
    expect(seen).to.deep.equal([0, 10]);
  });

  it('should fail with SerializationError, leaving no process behind, when a producer\'s arguments cannot be sent', async () => {
    const error = await lastValueFrom(
      mergeProducers(producer<string>(rx.count, { args: ['a', 3] }), producer<string>(rx.count, { args: [() => 'b', 3] })).pipe(consume(rx.identity, { processes: 2, daemon: false })),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SerializationError);
    expect(await waitFor(() => activeChildren().length === 0, 5_000)).to.equal(true);
  });

  it('should fail, not complete, when a producer exits with 0 before its items were handled', async () => {
    const error = await lastValueFrom(
      // The first 8 are quick to handle, the last two take 500 ms each; it exits after 150 ms.
      producer<number>(rx.exitsAfterYielding, { args: [10, 150] }).pipe(queue({ maxsize: 100 }), consume<number, number>(rx.slowFrom, { processes: 1, args: [8, 500] })),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProcessExitError).with.property('exitCode', 0);
    // Its generator is pulled only as the consumer grants credit: if it had pulled all 10 by then,
    // the parent knows how many it sent; if not (a loaded machine), its output was cut short.
    expect((error as ProcessExitError).stderrTail).to.match(/before \d+ of its 10 items were handled|before its output was complete/);
  });

  it('should fail with ProcessExitError when a producer fails', async () => {
    const error = await lastValueFrom(
      mergeProducers(producer<number>(rx.failsAfter, { args: [3] }), producer<string>(rx.count, { args: ['ok', 3] })).pipe(consume<unknown, unknown>(rx.identity, { processes: 1 })),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProcessExitError).with.property('exitCode', 1);
    expect((error as ProcessExitError).stderrTail).to.match(/producer broke/);
  });

  it("should fail with the handler's error (seq -1, the item never passed here), or skip it with onError: 'skip'", async () => {
    const direct = await lastValueFrom(producer<number>(rx.returnsArray, { args: [5] }).pipe(consume<number, number>(rx.failOn, { processes: 1, args: [20] }))).catch((e: unknown) => e);
    expect(direct).to.be.instanceOf(TaskError).with.property('seq', -1);
    expect((direct as TaskError).message).to.match(/The handler failed on an item in [\s\S]*RangeError: bad item 20/);
    const kept = await lastValueFrom(producer<number>(rx.returnsArray, { args: [5] }).pipe(consume<number, number>(rx.failOn, { processes: 1, args: [20], onError: 'skip' }), toArray()));
    expect(kept.sort((a, b) => a - b)).to.deep.equal([0, 10, 30, 40]);
  });

  it('should keep the general path, and run the operator, when anything stands between the producers and consume()', async () => {
    const mapped = await lastValueFrom(
      mergeProducers(producer<string>(rx.count, { args: ['m', 3] }), producer<string>(rx.count, { args: ['n', 3] })).pipe(
        map((item) => `${item}!`),
        queue({ maxsize: 10 }),
        consume<string, string>(rx.identity, { processes: 2 }),
        toArray(),
      ),
    );
    expect(mapped.sort()).to.deep.equal(['m:0!', 'm:1!', 'm:2!', 'n:0!', 'n:1!', 'n:2!']);
    const general = await lastValueFrom(
      merge(producer<number>(rx.returnsArray, { args: [5] }), producer<number>(rx.returnsArray, { args: [1] })).pipe(consume<number, number>(rx.failOn, { processes: 1, args: [20], ordered: true })),
    ).catch((e: unknown) => e);
    expect(general).to.be.instanceOf(TaskError);
    expect((general as TaskError).seq).to.be.at.least(0);
  });

  it('should let non-daemon consumers finish and exit by themselves before completing', async () => {
    const results = await lastValueFrom(producer<string>(rx.count, { args: ['d', 30] }).pipe(consume<string, { item: string; pid: number }>(rx.withPid, { processes: 2, daemon: false }), toArray()));
    expect(results).to.have.length(30);
    expect([...new Set(results.map((r) => r.pid))].some(isPidAlive)).to.equal(false);
  });

  it('should terminate every producer and consumer when the output is unsubscribed', async () => {
    const pids = new Set<number>();
    const subscription = mergeProducers(producer<number>(rx.pidForever), producer<number>(rx.pidForever))
      .pipe(queue({ maxsize: 10 }), consume<number, { item: number; pid: number }>(rx.withPid, { processes: 2 }))
      .subscribe({ next: (r) => pids.add(r.item).add(r.pid) });
    // Both producers' pids and at least one consumer's.
    expect(await waitFor(() => pids.size >= 3, 10_000)).to.equal(true);
    subscription.unsubscribe();
    expect(await waitFor(() => [...pids].every((pid) => !isPidAlive(pid)), 5_000)).to.equal(true);
  });

  it('should complete with no item when every producer produces none, or when there is no producer', async () => {
    const n = await lastValueFrom(mergeProducers(producer<string>(rx.count, { args: ['e', 0] }), producer<string>(rx.count, { args: ['f', 0] })).pipe(consume(rx.identity, { processes: 2 }), count()));
    expect(n).to.equal(0);
    const none: Observable<string>[] = [];
    const m = await lastValueFrom(mergeProducers(...none).pipe(consume(rx.identity, { processes: 1, daemon: false }), count()));
    expect(m).to.equal(0);
  });
});
