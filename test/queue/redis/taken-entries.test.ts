import { expect } from 'chai';
import { TaskDoneError } from '../../../src/errors/task-done-error.js';
import { TakenEntries } from '../../../src/queue/redis/taken-entries.js';

describe('TakenEntries (what a Redis consumer holds)', () => {
  const entry = (id: string, items: number[], from = 0, n = items.length + from) => ({ id, n, from, items });

  it('should hand out items in order across entries, redelivered ones first', () => {
    const t = new TakenEntries<number>();
    t.add([entry('1-0', [1, 2, 3]), entry('2-0', [4, 5])]);
    t.add([entry('0-5', [9], 2)], true);
    expect(t.take(2)).to.deep.equal([9, 1]);
    expect(t.take(10)).to.deep.equal([2, 3, 4, 5]);
    expect(t.take(1)).to.deep.equal([]);
    expect(t.undone).to.equal(6);
  });

  it('should acknowledge the done prefix of each entry, counting from a reclaimed entry\'s mark', () => {
    const t = new TakenEntries<number>();
    t.add([entry('1-0', [1, 2, 3]), entry('2-0', [7, 8], 3)]);
    t.take(5);
    t.done(4);
    expect(t.drainMarks()).to.deep.equal([
      { id: '1-0', to: 3, n: 3, acked: 0 },
      { id: '2-0', to: 4, n: 5, acked: 3 },
    ]);
    t.done(1);
    expect(t.drainMarks()).to.deep.equal([{ id: '2-0', to: 5, n: 5, acked: 4 }]);
    expect(t.drainMarks()).to.deep.equal([]);
  });

  it('should hand a careful entry out one item at a time, each after Redis confirmed the last done', () => {
    const t = new TakenEntries<number>();
    t.add([{ ...entry('1-0', [1, 2, 3]), careful: true }, entry('2-0', [7, 8])]);
    // One careful item, and the entries behind it go on.
    expect(t.take(10)).to.deep.equal([1, 7, 8]);
    expect(t.take(10)).to.deep.equal([]);
    t.done(1);
    expect(t.awaitingConfirmation).to.equal(true);
    const marks = t.drainMarks();
    expect(t.take(10)).to.deep.equal([]);
    t.sent(marks);
    expect(t.awaitingConfirmation).to.equal(false);
    expect(t.take(10)).to.deep.equal([2]);
    t.done(3);
    t.sent(t.drainMarks());
    expect(t.take(10)).to.deep.equal([3]);
  });

  it('should refuse more taskDone than items taken and not done', () => {
    const t = new TakenEntries<number>();
    t.add([entry('1-0', [1, 2])]);
    t.take(1);
    expect(() => t.done(2)).to.throw(TaskDoneError, /called too many times \(2 more than the 1 items/);
  });

  it('should release every unfinished item, per entry, from its first unfinished index', () => {
    const t = new TakenEntries<number>();
    t.add([entry('1-0', [1, 2, 3]), entry('2-0', [4, 5]), entry('3-0', [6])]);
    t.take(4);
    t.done(1);
    expect(t.release()).to.deep.equal([
      { id: '1-0', from: 1, items: [2, 3] },
      { id: '2-0', from: 0, items: [4, 5] },
      { id: '3-0', from: 0, items: [6] },
    ]);
    expect(t.take(10)).to.deep.equal([]);
    expect(t.holds('1-0')).to.equal(false);
  });
});
