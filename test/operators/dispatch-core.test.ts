import { expect } from 'chai';
import { DispatchCore } from '../../src/operators/dispatch-core.js';

describe('DispatchCore', () => {
  it('should assign to the least loaded worker and never beyond its window', () => {
    const core = new DispatchCore<string>(10, 2);
    core.addWorker(0);
    core.addWorker(1);
    for (const item of ['a', 'b', 'c', 'd', 'e']) core.accept(item);
    const assigned = core.assign().map(({ worker, job }) => `${worker}:${job.item}`);
    expect(assigned).to.deep.equal(['0:a', '1:b', '0:c', '1:d']);
    expect(core.buffered).to.equal(1);
    expect(core.inflight).to.equal(4);
    expect(core.assign()).to.deep.equal([]);
    expect(core.finish(1, 1)).to.equal(true);
    expect(core.assign().map(({ worker, job }) => `${worker}:${job.item}`)).to.deep.equal(['1:e']);
  });

  it('should report full at maxsize', () => {
    const core = new DispatchCore<number>(2, 1);
    core.accept(1);
    expect(core.isFull()).to.equal(false);
    core.accept(2);
    expect(core.isFull()).to.equal(true);
  });

  it("should hand back a removed worker's unfinished jobs in order, for redelivery at the head", () => {
    const core = new DispatchCore<string>(10, 3);
    core.addWorker(0);
    core.addWorker(1);
    for (const item of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) core.accept(item);
    core.assign();
    core.finish(0, 2);
    const lost = core.removeWorker(0);
    expect(lost.map((j) => j.item)).to.deep.equal(['a', 'e']);
    core.requeue(lost);
    expect(core.assign().map(({ worker, job }) => `${worker}:${job.item}`)).to.deep.equal([]);
    core.finish(1, 1);
    expect(core.assign().map(({ worker, job }) => `${worker}:${job.item}`)).to.deep.equal(['1:a']);
  });

  it('should be done only when the source completed and nothing is buffered or in flight', () => {
    const core = new DispatchCore<number>(10, 1);
    core.addWorker(0);
    expect(core.isDone()).to.equal(false);
    core.sourceCompleted();
    expect(core.isDone()).to.equal(true);
    const late = new DispatchCore<number>(10, 1);
    late.addWorker(0);
    late.accept(1);
    late.sourceCompleted();
    expect(late.isDone()).to.equal(false);
    const job = late.assign()[0]?.job as { seq: number };
    expect(late.isDone()).to.equal(false);
    expect(late.finish(0, job.seq)).to.equal(true);
    expect(late.finish(0, job.seq)).to.equal(false);
    expect(late.isDone()).to.equal(true);
  });

  it("should hand out one batch per worker, and finish each worker's jobs oldest first", () => {
    const core = new DispatchCore<string>(10, 2);
    core.addWorker(0);
    core.addWorker(1);
    for (const item of ['a', 'b', 'c', 'd', 'e']) core.accept(item);
    expect(core.assignBatches()).to.deep.equal([
      { worker: 0, items: ['a', 'c'] },
      { worker: 1, items: ['b', 'd'] },
    ]);
    expect(core.finishOldest(1)).to.equal(1);
    expect(core.finishOldest(1)).to.equal(3);
    expect(core.finishOldest(1)).to.equal(undefined);
    expect(core.inflight).to.equal(2);
    expect(core.assignBatches()).to.deep.equal([{ worker: 1, items: ['e'] }]);
    core.removeWorker(0);
    expect(core.finishOldest(0)).to.equal(undefined);
    expect(core.inflight).to.equal(1);
  });
});
