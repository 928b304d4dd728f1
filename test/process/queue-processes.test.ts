import { expect } from 'chai';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { transportSettings } from '../../src/internal/transport-settings.js';
import { JoinableQueue, Process, Queue } from '../../src/index.js';
import { assertNoChildrenLeft, readRecord, removeTempFiles, tempFile, waitFor, waitForFile } from '../helpers.js';
import * as qt from '../fixtures/queue-targets.js';
import { sleepForever } from '../fixtures/targets.js';
import { recordConnectingAtImport } from '../fixtures/import-order-target.js';

function start(target: (...args: never[]) => unknown, args: unknown[], daemon = false): Process {
  const p = new Process({ target, args, daemon });
  p.start();
  return p;
}

describe('Queue across processes', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  it("should connect a child to its queues' owner while it imports the target's module, not after", async () => {
    const q = new Queue<number>();
    const file = tempFile();
    const p = start(recordConnectingAtImport, [file, q]);
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.equal(true);
  });

  it('should carry items from a child to the owner in FIFO order', async () => {
    const q = new Queue<number>(10);
    const p = start(qt.produce, [q, 0, 500]);
    const got: number[] = [];
    for (let i = 0; i < 500; i++) got.push(await q.get());
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect(got).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
  });

  it("should keep a child's put waiting while the queue is full, until a get frees a slot", async () => {
    const q = new Queue<number>(3);
    const p = start(qt.produce, [q, 0, 6]);
    // The producer can place only 3 items; it must still be running, blocked in put().
    expect(await waitFor(() => q.qsize() === 3, 10_000)).to.equal(true);
    await p.join(300);
    expect(p.exitCode).to.equal(null);
    expect(q.qsize()).to.equal(3);
    const got: number[] = [];
    for (let i = 0; i < 6; i++) got.push(await q.get());
    await p.join();
    expect(got).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(p.exitCode).to.equal(0);
  });

  it('should deliver to a consumer child what the owner puts', async () => {
    const q = new Queue<{ n: number; m: Map<string, number> }>();
    const file = tempFile();
    const p = start(qt.consumeCount, [q, 3, file]);
    for (let n = 0; n < 3; n++) await q.put({ n, m: new Map([['k', n]]) });
    await p.join();
    expect(readRecord(file)).to.deep.equal([0, 1, 2].map((n) => ({ n, m: new Map([['k', n]]) })));
  });

  it('should apply timeouts and nowait rules in a proxy', async () => {
    const q = new Queue<number>(2);
    const file = tempFile();
    const p = start(qt.probeProxy, [q, file]);
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect(readRecord(file)).to.deep.equal({ getTimeout: 'QueueEmptyError', getNowait: 'QueueEmptyError', putTimeout: 'QueueFullError', putNoBlock: 'QueueFullError', afterClose: 'QueueClosedError' });
    expect([await q.get(), await q.get()]).to.deep.equal([1, 2]);
  });

  it("should serve its queues from a socket in the tree's private folder, not in the temp folder itself", async () => {
    const q = new Queue<string>();
    const p = start(qt.putAll, [q, ['served']]);
    expect(await q.get({ timeout: 5000 })).to.equal('served');
    await p.join();
    const dir = transportSettings().socketDir;
    expect(readdirSync(tmpdir()).filter((file) => file.startsWith(`rxmp-${process.pid}-`))).to.deep.equal([basename(dir)]);
    expect(readdirSync(dir).filter((file) => file.startsWith(`queues-${process.pid}-`))).to.have.length(1);
  });

  it('should reach the owner from a grandchild the queue was passed on to', async () => {
    const q = new Queue<string>();
    const p = start(qt.relayToGrandchild, [q, ['a', 'b', 'c']]);
    await p.join();
    expect(p.exitCode).to.equal(0);
    expect([await q.get({ timeout: 5000 }), await q.get({ timeout: 5000 }), await q.get({ timeout: 5000 })]).to.deep.equal(['a', 'b', 'c']);
  });

  it('should lose no item when a child waiting in get() is killed', async () => {
    const q = new Queue<string>();
    const file = tempFile();
    const p = start(qt.getOnce, [q, file]);
    await waitForFile(file);
    await new Promise((r) => setTimeout(r, 100)); // let its request reach the owner
    p.kill();
    await q.put('precious'); // may already be on its way to the dying child
    await p.join();
    expect(await q.get({ timeout: 5000 })).to.equal('precious');
  });

  it('should deliver every item a child put before it called process.exit()', async () => {
    const q = new Queue<number>();
    const p = start(qt.putThenExit, [q, 200]);
    await p.join();
    expect(p.exitCode).to.equal(0);
    const got: number[] = [];
    for (let i = 0; i < 200; i++) got.push(await q.get({ timeout: 5000 }));
    expect(got).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
  });

  it("should send a CPU-bound child's put at once, not when the child next yields to its event loop", async () => {
    const q = new Queue<string>();
    const ack = tempFile('ack');
    const p = start(qt.putThenCompute, [q, ack]);
    expect(await q.get({ timeout: 5000 })).to.equal('first');
    writeFileSync(ack, '');
    expect(await q.get({ timeout: 5000 })).to.equal('acked');
    await p.join();
  });

  it('should refuse a queue as a queue item', () => {
    const q = new Queue<unknown>();
    expect(() => q.putNowait(new Queue())).to.throw(/cannot be put into a queue/);
  });
});

describe('JoinableQueue across processes', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  it('should consume every item exactly once with 3 producers and 2 consumers, join() settling after the last taskDone', async () => {
    const q = new JoinableQueue<string>(50);
    const files = [tempFile('c'), tempFile('c')];
    const consumers = files.map((file) => start(qt.consumeForever, [q, file], true));
    const producers = [0, 1, 2].map(() => start(qt.produce, [q, 0, 1000, true, true]));
    await Promise.all(producers.map((p) => p.join()));
    expect(producers.map((p) => p.exitCode)).to.deep.equal([0, 0, 0]);
    await q.join();
    // Each consumer writes its record before it asks for the next item; wait until both cover 3000.
    let got: string[] = [];
    await waitFor(() => {
      try {
        got = files.flatMap((file) => readRecord<string[]>(file));
      } catch {
        return false;
      }
      return got.length === 3000;
    }, 5000);
    consumers.forEach((c) => c.terminate());
    await Promise.all(consumers.map((c) => c.join()));
    expect(got).to.have.length(3000);
    expect(new Set(got).size).to.equal(3000);
    for (const p of producers) {
      const mine = got.filter((item) => item.startsWith(`${p.name}:`)).map((item) => Number(item.split(':')[1]));
      expect(mine).to.have.length(1000);
    }
  });

  it('should settle join() called in a child when the owner marks items done', async () => {
    const q = new JoinableQueue<number>();
    await q.put(1);
    const file = tempFile();
    const p = start(qt.joinFromChild, [q, file]);
    await new Promise((r) => setTimeout(r, 300));
    expect(p.isAlive()).to.equal(true);
    await q.get();
    const doneAt = Date.now();
    q.taskDone();
    await p.join();
    expect(readRecord<{ joinedAt: number }>(file).joinedAt).to.be.at.least(doneAt - 5);
  });

  it('should throw TaskDoneError in a child that calls taskDone() too many times', async () => {
    const q = new JoinableQueue<number>();
    await q.put(1);
    const file = tempFile();
    const p = start(qt.taskDoneTooMany, [q, file]);
    await p.join();
    expect(readRecord(file)).to.deep.include({ error: 'TaskDoneError' });
    expect(readRecord<{ message: string }>(file).message).to.match(/^taskDone\(\) called too many times/);
    await q.join();
  });

  it('should keep the owner buffer within maxsize while a producer outruns its consumer 100 to 1', async () => {
    const maxsize = 100;
    const q = new JoinableQueue<number>(maxsize);
    const producer = start(qt.produce, [q, 0, 5000]);
    let peak = 0;
    let taken = 0;
    while (taken < 600) {
      peak = Math.max(peak, q.qsize());
      await q.get();
      q.taskDone();
      taken++;
      if (taken % 6 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(peak).to.be.at.most(maxsize);
    expect(peak).to.be.at.least(maxsize / 2);
    producer.kill();
    await producer.join();
  });
});

void sleepForever;
