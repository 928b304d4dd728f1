import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { Pool, TargetResolutionError, consume, producer, setStartMethod, type Context, type StartMethod } from '../../src/index.js';
import { assertChildrenExitSoon, fixtureModule } from '../helpers.js';

// consume() and producer() take `{ module, export }` as Process does: the function a child imports
// by name, for code that cannot import the module itself (a plugin named in a config file, a module
// of another package).
const RX_TARGETS = fixtureModule('rx-targets');
const square = { module: RX_TARGETS, export: 'square' };
const count = { module: RX_TARGETS.href, export: 'count' };

describe('{ module, export } targets of consume() and producer()', () => {
  afterEach(() => assertChildrenExitSoon());

  for (const context of ['process', 'thread'] as const satisfies readonly Context[]) {
    it(`should run a consume() handler given as { module, export } in a ${context}`, async () => {
      const results = await lastValueFrom(from([1, 2, 3]).pipe(consume<number, number>(square, { processes: 2, ordered: true, context }), toArray()));
      expect(results).to.deep.equal([1, 4, 9]);
    });

    it(`should run a producer() target given as { module, export } in a ${context}, straight into consume()`, async () => {
      const results = await lastValueFrom(producer<string>(count, { args: ['r', 4], context }).pipe(consume<string, string>({ module: RX_TARGETS, export: 'identity' }, { processes: 1, context }), toArray()));
      expect(results.sort()).to.deep.equal(['r:0', 'r:1', 'r:2', 'r:3']);
    });
  }

  it("should run a { module, export } handler on a Pool's workers", async () => {
    await using pool = new Pool({ processes: 2 });
    const results = await lastValueFrom(from([2, 3]).pipe(consume<number, number>(square, { pool, ordered: true }), toArray()));
    expect(results).to.deep.equal([4, 9]);
  });

  it('should take an initializer given as { module, export }', async () => {
    const results = await lastValueFrom(
      from(['a']).pipe(consume<string, { item: string; pid: number; tag: string | undefined }>({ module: RX_TARGETS, export: 'withInitTag' }, { processes: 1, initializer: { module: RX_TARGETS, export: 'countInit' } }), toArray()),
    );
    // The consumer process ran countInit once before its first item: the handler sees its tag.
    expect(results).to.deep.equal([{ item: 'a', pid: results[0]?.pid, tag: 'run 1' }]);
    expect(results[0]?.pid).to.not.equal(process.pid);
  });

  describe("with setStartMethod('inline')", () => {
    let previous: StartMethod;
    before(() => (previous = setStartMethod('inline')));
    after(() => setStartMethod(previous));

    it('should import the module in this process and run the handler and the producer there', async () => {
      expect(await lastValueFrom(from([4, 5]).pipe(consume<number, number>(square, { processes: 1 }), toArray()))).to.deep.equal([16, 25]);
      expect(await lastValueFrom(producer<string>(count, { args: ['i', 2] }).pipe(toArray()))).to.deep.equal(['i:0', 'i:1']);
    });

    it('should fail the output with TargetResolutionError naming an export the module lacks', async () => {
      const error = await lastValueFrom(from([1]).pipe(consume({ module: RX_TARGETS, export: 'noSuchHandler' }))).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TargetResolutionError);
      expect((error as Error).message).to.match(/has no exported function `noSuchHandler` \(the consumer handler\)/);
    });
  });

  it('should refuse a target that is neither a function nor { module, export }, when the operator is created', () => {
    expect(() => consume(42 as never)).to.throw(TargetResolutionError, /consumer handler to be a function exported from a module, or `\{ module, export \}`, got `42`/);
    expect(() => producer(null as never)).to.throw(TargetResolutionError, /producer target to be a function exported from a module, or `\{ module, export \}`, got `null`/);
    expect(() => consume({ module: RX_TARGETS } as never)).to.throw(TargetResolutionError, /`target` to be an exported function or `\{ module, export \}`/);
  });
});
