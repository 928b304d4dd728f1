import { expect } from 'chai';
import { nextPrefetchWindow } from '../../src/internal/prefetch-window.js';

// How a consumer sizes its prefetch from the time its items kept it busy (whole milliseconds).
describe('nextPrefetchWindow', () => {
  it('should double the window after an item under 1 ms, up to 1,024', () => {
    expect(nextPrefetchWindow(1, 0)).to.equal(2);
    expect(nextPrefetchWindow(256, 0)).to.equal(512);
    expect(nextPrefetchWindow(1024, 0)).to.equal(1024);
  });

  it('should halve the window after an item read as 2 ms or more, down to one item', () => {
    expect(nextPrefetchWindow(1024, 2)).to.equal(512);
    expect(nextPrefetchWindow(3, 50)).to.equal(1);
    expect(nextPrefetchWindow(1, 50)).to.equal(1);
    expect(nextPrefetchWindow(64, Infinity)).to.equal(32);
  });

  it('should keep the window on a reading of 1 ms, which a fast item straddling a tick also gives', () => {
    expect(nextPrefetchWindow(1024, 1)).to.equal(1024);
    expect(nextPrefetchWindow(1, 1)).to.equal(1);
  });

  it('should bring any window to one within a dozen slow items, and back to 1,024 within a dozen fast ones', () => {
    let window = 1024;
    for (let i = 0; i < 12; i++) window = nextPrefetchWindow(window, 5);
    expect(window).to.equal(1);
    for (let i = 0; i < 12; i++) window = nextPrefetchWindow(window, 0);
    expect(window).to.equal(1024);
  });

  it('should judge a run of items by their average, within the bounds given', () => {
    expect(nextPrefetchWindow(4, 3, 250, 4, 1000)).to.equal(8);
    expect(nextPrefetchWindow(512, 0, 300, 4, 1000)).to.equal(1000);
    expect(nextPrefetchWindow(64, 8, 4, 4, 1000)).to.equal(32);
    expect(nextPrefetchWindow(4, 500, 10, 4, 1000)).to.equal(4);
    expect(nextPrefetchWindow(64, 5, 4, 4, 1000)).to.equal(64);
    expect(nextPrefetchWindow(64, 3, 0, 4, 1000)).to.equal(64);
  });
});
