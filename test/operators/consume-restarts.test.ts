import { expect } from 'chai';
import { from, type Observable } from 'rxjs';
import { ConsumerExitedError, consume, mergeProducers, producer, queue } from '../../src/index.js';
import { assertChildrenExitSoon } from '../helpers.js';
import * as rx from '../fixtures/rx-targets.js';

type Outcome = { item: number | string; pid: number };
type Options = Parameters<typeof consume>[1];

// The three data paths (see consume-initializer.test.ts): the parent dispatching a plain Observable,
// the parent's queue between producer and consumer children (an explicit prefetch keeps that path),
// and producers writing straight to the consumers (broker-free).
const paths: { name: string; items: number; run: (handler: typeof rx.numberWithPid | typeof rx.exitsWith1On, options: Options) => Observable<Outcome> }[] = [
  {
    name: 'the general path',
    items: 600,
    run: (handler, options) => from(Array.from({ length: 600 }, (_, i) => i)).pipe(consume<number, Outcome>(handler, options)),
  },
  {
    name: 'the direct path through the parent queue',
    items: 600,
    run: (handler, options) =>
      producer<number>(rx.yieldEach, { args: [Array.from({ length: 600 }, (_, i) => i)] }).pipe(queue({ maxsize: 20 }), consume<number, Outcome>(handler, { ...options, prefetch: 4 })),
  },
  {
    name: 'the broker-free path',
    items: 600,
    run: (handler, options) =>
      mergeProducers(
        producer<number>(rx.yieldEach, { args: [Array.from({ length: 300 }, (_, i) => i)] }),
        producer<number>(rx.yieldEach, { args: [Array.from({ length: 300 }, (_, i) => 300 + i)] }),
      ).pipe(queue({ maxsize: 100 }), consume<number, Outcome>(handler, options)),
  },
];

// Runs `out$`, SIGKILLing a consumer (a pid that just reported, not killed before) every `every`
// outcomes until `kills` are done; resolves with every outcome and the pids killed, or rejects.
function runWithKills(out$: Observable<Outcome>, kills: number, every: number): Promise<{ seen: Outcome[]; killed: number[] }> {
  const seen: Outcome[] = [];
  const killed: number[] = [];
  return new Promise((resolve, reject) => {
    out$.subscribe({
      next: (outcome) => {
        seen.push(outcome);
        if (killed.length < kills && seen.length % every === 0 && !killed.includes(outcome.pid)) {
          killed.push(outcome.pid);
          process.kill(outcome.pid, 'SIGKILL');
        }
      },
      error: reject,
      complete: () => resolve({ seen, killed }),
    });
  });
}

describe('consume() replacing dead consumers', () => {
  afterEach(() => assertChildrenExitSoon());

  for (const path of paths) {
    // 6 kills of 3 consumers: no pid is killed twice, so at least 3 of the kills hit replacements —
    // consumers started after a kill are killed in turn, as the originals were.
    it(`should complete with every outcome exactly once through 6 SIGKILLs of its 3 consumers, on ${path.name}`, async function () {
      this.timeout(120_000);
      const { seen, killed } = await runWithKills(path.run(rx.numberWithPid, { processes: 3, args: [5] }), 6, 40);
      expect(killed).to.have.length(6);
      const counts = new Map<unknown, number>();
      for (const { item } of seen) counts.set(item, (counts.get(item) ?? 0) + 1);
      const duplicated = [...counts.values()].filter((n) => n > 1).length;
      expect({ outcomes: seen.length, distinct: counts.size, duplicated }).to.deep.equal({ outcomes: path.items, distinct: path.items, duplicated: 0 });
    });

    it(`should fail with ConsumerExitedError once maxRestarts is spent, on ${path.name}`, async function () {
      this.timeout(60_000);
      const error = await runWithKills(path.run(rx.numberWithPid, { processes: 1, maxRestarts: 2, args: [5] }), 3, 5).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ConsumerExitedError).with.property('restarts', 2);
      expect((error as ConsumerExitedError).message).to.match(/no consumer is left .*restart budget \(maxRestarts: 2\)/);
    });

    it(`should fail with ConsumerExitedError when a poison item makes the handler call process.exit(1) in every consumer, on ${path.name}`, async function () {
      this.timeout(60_000);
      const error = await runWithKills(path.run(rx.exitsWith1On, { processes: 3, args: [7] }), 0, 1).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ConsumerExitedError).with.property('exitCode', 1);
      const { poisonItem, killedConsumers, message } = error as ConsumerExitedError;
      expect(killedConsumers).to.be.at.least(3);
      expect(poisonItem).to.match(/item (#\d+ )?\(?7\)?/);
      expect(message).to.match(/killed \d+ consumers while they ran item|poison item/);
    });
  }

  it('should refuse a maxRestarts that is not a non-negative integer or Infinity, when the operator is created', () => {
    for (const bad of [-1, 1.5, Number.NaN, '3']) {
      expect(() => consume(rx.square, { maxRestarts: bad as number })).to.throw(TypeError, /Expected `maxRestarts` to be a non-negative integer or Infinity, got `.*` \((number|string)\)/);
    }
    expect(() => consume(rx.square, { maxRestarts: Infinity })).not.to.throw();
    expect(() => consume(rx.square, { maxRestarts: 0 })).not.to.throw();
  });
});
