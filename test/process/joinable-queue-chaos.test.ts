import { expect } from 'chai';
import { JoinableQueue, Process, Queue } from '../../src/index.js';
import { REDELIVERED, UNFINISHED } from '../../src/internal/symbols.js';
import { assertNoChildrenLeft } from '../helpers.js';
import * as qt from '../fixtures/queue-targets.js';

// Python's consumer pattern under fire: 3 children loop on get() / put(result) / taskDone(), and 10
// of them are SIGKILLed (real pids) during the run, each replaced as a user would.
async function runChaos(n: number, kills: number, options: { redeliver?: boolean }, joinWithinMs: number) {
  const q = new JoinableQueue<number>(0, options);
  const results = new Queue<number>();
  for (let i = 0; i < n; i++) q.putNowait(i);
  const start = (): Process => {
    const p = new Process({ target: qt.getReportTaskDone, args: [q, results], daemon: true });
    p.start();
    return p;
  };
  const consumers = [start(), start(), start()];
  const seen = new Map<number, number>();
  let received = 0;
  let killed = 0;
  let joined = false;
  const join = q.join().then(() => (joined = true));
  const every = Math.floor(n / (kills + 1));
  // Reads results until join settles and every item has been seen, or the time is up.
  // A run whose items were all handled except those lost ends once no result came for a second:
  // nothing is left to come, and waiting out the deadline would only prove it again.
  const deadline = Date.now() + joinWithinMs;
  let lastResultAt = Date.now();
  while (Date.now() < deadline && !(joined && seen.size === n)) {
    const item = results.qsize() > 0 ? results.getNowait() : await results.get({ timeout: 200 }).catch(() => undefined);
    if (item === undefined) {
      if (killed === kills && q.qsize() === 0 && Date.now() - lastResultAt > QUIET_MS) break;
      continue;
    }
    lastResultAt = Date.now();
    seen.set(item, (seen.get(item) ?? 0) + 1);
    received++;
    if (killed < kills && received >= (killed + 1) * every) {
      const victim = consumers[killed % 3] as Process;
      process.kill(victim.pid as number, 'SIGKILL');
      await victim.join();
      consumers[killed % 3] = start();
      killed++;
    }
  }
  await Promise.race([join, new Promise((r) => setTimeout(r, 10))]);
  for (const p of consumers) p.terminate();
  await Promise.all(consumers.map((p) => p.join()));
  const lost = n - seen.size;
  const duplicated = [...seen.values()].filter((count) => count > 1).length;
  return { killed, joined, lost, duplicated, redelivered: q[REDELIVERED](), unfinished: q[UNFINISHED]() };
}

describe('JoinableQueue with consumers that die', () => {
  afterEach(assertNoChildrenLeft);

  it('should settle join() and lose no item through 10 SIGKILLs of its 3 get()/taskDone() consumers (100k items)', async function () {
    this.timeout(180_000);
    const outcome = await runChaos(100_000, 10, {}, 120_000);
    expect(outcome.killed).to.equal(10);
    expect({ joined: outcome.joined, lost: outcome.lost }).to.deep.equal({ joined: true, lost: 0 });
    // At-least-once: an item whose taskDone() died with its process is handled again.
    expect(outcome.duplicated).to.be.at.most(outcome.redelivered);
    console.log(`      chaos: ${JSON.stringify({ killed: outcome.killed, joined: outcome.joined, lost: outcome.lost, duplicated: outcome.duplicated, redelivered: outcome.redelivered })}`);
  });

  it("should keep Python's rule with redeliver: false: items a dead consumer got are lost, and join() waits", async function () {
    this.timeout(180_000);
    const outcome = await runChaos(100_000, 10, { redeliver: false }, 15_000);
    expect(outcome.killed).to.equal(10);
    expect(outcome.redelivered).to.equal(0);
    // Each kill most likely caught an item between get() and taskDone(): 5 of 5 runs lost some.
    expect(outcome.joined).to.equal(false);
    expect(outcome.unfinished).to.be.above(0);
    console.log(`      chaos, redeliver: false: ${JSON.stringify({ killed: outcome.killed, joined: outcome.joined, lost: outcome.lost, unfinished: outcome.unfinished })}`);
  });

  it('should refuse options that are not an object, or a redeliver that is not a boolean', () => {
    expect(() => new JoinableQueue(0, { redeliver: 'no' as unknown as boolean })).to.throw(TypeError, /Expected `redeliver` to be a boolean, got `no` \(string\)/);
    expect(() => new JoinableQueue(0, 5 as unknown as object)).to.throw(TypeError, /options of JoinableQueue to be an object/);
  });
});

const QUIET_MS = 1_000;
