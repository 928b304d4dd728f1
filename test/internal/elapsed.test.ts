import { expect } from 'chai';
import { elapsedMs } from '../../src/internal/elapsed.js';

describe('elapsedMs', () => {
  it('should give the milliseconds from one Date.now() reading to another', () => {
    expect(elapsedMs(1_000, 1_010)).to.equal(10);
    expect(elapsedMs(1_000, 1_000)).to.equal(0);
  });

  it('should count a wall clock set back as long elapsed, so a rule waiting on it fires rather than stalls', () => {
    expect(elapsedMs(1_000, 400)).to.equal(Infinity);
  });

  it('should read the clock itself when not given the present', () => {
    const before = Date.now();
    const elapsed = elapsedMs(before - 50);
    expect(elapsed).to.be.at.least(50).and.below(50 + 1_000);
  });
});
