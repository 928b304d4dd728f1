import { expect } from 'chai';
import { consume, mergeProducers, producer, queue, type Target } from '../../src/index.js';
import { assertNoChildrenLeft } from '../helpers.js';
import { count } from '../fixtures/rx-targets.js';

describe('bad options to the operators', () => {
  afterEach(assertNoChildrenLeft);

  for (const bad of ['10', NaN, 1.5, true, 10, null, [1]]) {
    it(`should refuse queue(${typeof bad === "string" ? `"${bad}"` : (Number.isNaN(bad) ? "NaN" : JSON.stringify(bad))}) when it is called, with a TypeError showing the options object`, () => {
      expect(() => queue(bad as never)).to.throw(TypeError, /options of queue\(\) to be an object.*queue\(\{ maxsize: 10 \}\)/);
    });
  }

  for (const bad of [1.5, NaN, '10', 0, -1]) {
    it(`should refuse queue({ maxsize: ${JSON.stringify(bad)} })`, () => {
      expect(() => queue({ maxsize: bad as number })).to.throw(TypeError, /`maxsize`/);
    });
  }

  it("should refuse producer args that are not an array, rather than spread 'str' as its characters", () => {
    expect(() => producer(count, { args: 'str' as never })).to.throw(TypeError, /`args` to be an array.*got `'str'` \(string\)/);
    expect(() => producer(count, { args: 3 as never })).to.throw(TypeError, /`args` to be an array/);
    expect(() => producer(count, 'str' as never)).to.throw(TypeError, /options of producer\(\)/);
  });

  it('should refuse consume args that are not an array, and consume options that are not an object', () => {
    expect(() => consume(count, { args: 'str' as never })).to.throw(TypeError, /`args` to be an array/);
    expect(() => consume(count, 4 as never)).to.throw(TypeError, /options of consume\(\)/);
  });

  it('should refuse a name that is not a string in producer() and consume()', () => {
    expect(() => producer(count as Target, { name: 42 as never })).to.throw(TypeError, /`name` to be a string/);
    expect(() => consume(count as Target, { name: {} as never })).to.throw(TypeError, /`name` to be a string/);
    expect(() => producer(count as Target, { queue: 'yes' as never })).to.throw(TypeError, /`queue` to be a boolean/);
  });

  it('should refuse mergeProducers() of something that is not an Observable, naming its position', () => {
    expect(() => mergeProducers(42 as never)).to.throw(TypeError, /argument 0 of mergeProducers\(\) to be an Observable.*`42` \(number\)/);
    expect(() => mergeProducers(producer(count, { args: ['a', 1] }), 'x' as never)).to.throw(TypeError, /argument 1/);
  });
});
