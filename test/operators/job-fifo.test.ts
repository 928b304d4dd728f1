import { expect } from 'chai';
import { JobFifo } from '../../src/operators/job-fifo.js';

describe('JobFifo', () => {
  it('should move jobs in order and report the oldest', () => {
    const buffer = new JobFifo<string>();
    const held = new JobFifo<string>();
    buffer.push(0, 'a');
    buffer.push(1, 'b');
    expect(buffer.peekSeq()).to.equal(0);
    expect(buffer.moveHeadTo(held)).to.equal('a');
    expect([buffer.size, held.size, buffer.peekSeq(), held.peekSeq()]).to.deep.equal([1, 1, 1, 0]);
    expect(buffer.moveHeadTo(held)).to.equal('b');
    expect(buffer.size).to.equal(0);
    expect(buffer.peekSeq()).to.equal(undefined);
    expect(held.toJobs()).to.deep.equal([
      { seq: 0, item: 'a' },
      { seq: 1, item: 'b' },
    ]);
  });

  it('should remove a job from the middle and refuse one it does not hold', () => {
    const fifo = new JobFifo<string>();
    for (const [seq, item] of [[0, 'a'], [1, 'b'], [2, 'c']] as const) fifo.push(seq, item);
    expect(fifo.remove(1)).to.equal(true);
    expect(fifo.remove(1)).to.equal(false);
    expect(fifo.remove(7)).to.equal(false);
    expect(fifo.toJobs().map((job) => job.item)).to.deep.equal(['a', 'c']);
    expect(fifo.remove(0)).to.equal(true);
    expect(fifo.peekSeq()).to.equal(2);
  });

  it('should put requeued jobs before the rest', () => {
    const fifo = new JobFifo<string>();
    fifo.push(5, 'f');
    fifo.unshiftAll([
      { seq: 1, item: 'b' },
      { seq: 3, item: 'd' },
    ]);
    expect(fifo.toJobs().map((job) => job.seq)).to.deep.equal([1, 3, 5]);
  });

  it('should keep its order across many more jobs than it holds at once', () => {
    const source = new JobFifo<number>();
    const sink = new JobFifo<number>();
    const taken: number[] = [];
    let next = 0;
    // Never empty: the ring wraps around many times, and grows while it fills.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++, next++) source.push(next, next * 10);
      while (source.size > 20) taken.push(source.moveHeadTo(sink));
    }
    expect(source.size).to.equal(20);
    expect(taken).to.deep.equal(Array.from({ length: next - 20 }, (_, i) => i * 10));
    expect(sink.size).to.equal(next - 20);
    expect(source.toJobs().map((job) => job.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => next - 20 + i));
  });

  it('should remove from the middle of a ring that has wrapped around, keeping the order', () => {
    const fifo = new JobFifo<number>();
    const sink = new JobFifo<number>();
    for (let seq = 0; seq < 12; seq++) fifo.push(seq, seq);
    for (let i = 0; i < 10; i++) fifo.moveHeadTo(sink);
    for (let seq = 12; seq < 26; seq++) fifo.push(seq, seq); // 16 held, starting near the end of the ring
    expect(fifo.remove(20)).to.equal(true);
    expect(fifo.remove(25)).to.equal(true);
    expect(fifo.toJobs().map((job) => job.item)).to.deep.equal([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24]);
    fifo.push(26, 26);
    expect(fifo.size).to.equal(15);
    expect(fifo.peekSeq()).to.equal(10);
  });
});
