import { expect } from 'chai';
import { OutcomeLedger } from '../../src/operators/outcome-ledger.js';

describe('OutcomeLedger', () => {
  function ledger(producers = 2): { ledger: OutcomeLedger; completed: [number, number][] } {
    const completed: [number, number][] = [];
    return { ledger: new OutcomeLedger(producers, (p, seq) => completed.push([p, seq])), completed };
  }

  it('should count each item once, and complete a batch when its last item has an outcome', () => {
    const { ledger: l, completed } = ledger();
    expect([0, 1, 2].map((i) => l.accept(0, 0, 3, i))).to.deep.equal([true, true, true]);
    expect(completed).to.deep.equal([[0, 0]]);
    expect(l.missing()).to.equal(0);
  });

  it('should drop the outcomes of a batch sent again, whether it was partly or wholly reported before', () => {
    const { ledger: l, completed } = ledger();
    // Consumer A reported items 0-1 of batch 5 and died; B handles the whole batch again.
    expect([0, 1].map((i) => l.accept(1, 5, 4, i))).to.deep.equal([true, true]);
    expect(l.missing()).to.equal(2);
    expect([0, 1, 2, 3].map((i) => l.accept(1, 5, 4, i))).to.deep.equal([false, false, true, true]);
    expect(completed).to.deep.equal([[1, 5]]);
    // A's late report of a batch already complete counts for nothing.
    expect(l.accept(1, 5, 4, 2)).to.equal(false);
    expect(completed).to.have.length(1);
  });

  it('should keep producers apart and remember complete batches below and above the lowest open one', () => {
    const { ledger: l, completed } = ledger();
    expect(l.accept(0, 1, 1, 0)).to.equal(true);
    expect(l.accept(1, 1, 1, 0)).to.equal(true);
    expect(l.accept(0, 0, 1, 0)).to.equal(true);
    expect(completed).to.deep.equal([
      [0, 1],
      [1, 1],
      [0, 0],
    ]);
    expect(l.accept(0, 0, 1, 0)).to.equal(false);
    expect(l.accept(0, 1, 1, 0)).to.equal(false);
    expect(l.accept(1, 1, 1, 0)).to.equal(false);
    expect(l.accept(1, 0, 1, 0)).to.equal(true);
  });

  it('should ignore what cannot be an item: an unknown producer or an index outside the batch', () => {
    const { ledger: l, completed } = ledger(1);
    expect(l.accept(3, 0, 2, 0)).to.equal(false);
    expect(l.accept(0, 0, 2, 2)).to.equal(false);
    expect(l.accept(0, 0, 2, -1)).to.equal(false);
    expect(completed).to.deep.equal([]);
    expect(l.missing()).to.equal(0);
  });
});
