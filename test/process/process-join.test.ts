import { expect } from 'chai';
import { constants } from 'node:os';
import { Process } from '../../src/index.js';
import { assertNoChildrenLeft, rejection } from '../helpers.js';
import { sleepForever } from '../fixtures/targets.js';

describe('Process.join with options', () => {
  afterEach(assertNoChildrenLeft);

  it('should reject join({ signal }) with an AbortError when aborted, the child running on', async () => {
    const p = new Process({ target: sleepForever });
    p.start();
    const controller = new AbortController();
    const pending = p.join({ signal: controller.signal });
    controller.abort('waited enough');
    const error = await rejection(pending);
    expect(error).to.be.instanceOf(DOMException);
    expect([error.name, error.cause]).to.deep.equal(['AbortError', 'waited enough']);
    expect(p.isAlive()).to.equal(true);
    expectAbort(await rejection(p.join({ signal: AbortSignal.abort('before') })), 'before');
    p.terminate();
    await p.join({ signal: new AbortController().signal });
    expect(p.exitCode).to.equal(-constants.signals.SIGTERM);
  });

  it('should take { timeout } as join(timeout) does, settling with the child still running', async () => {
    const p = new Process({ target: sleepForever });
    p.start();
    const started = Date.now();
    await p.join({ timeout: 50 });
    expect(Date.now() - started).to.be.at.least(40);
    expect(p.exitCode).to.equal(null);
    p.kill();
    await p.join({ timeout: null });
    expect(p.exitCode).to.equal(-constants.signals.SIGKILL);
  });

  it('should name the fix for a bad signal or option', () => {
    const p = new Process({ target: sleepForever });
    p.start();
    try {
      expect(() => p.join({ signal: 'soon' as unknown as AbortSignal })).to.throw(TypeError, /`signal` of join\(\) to be an AbortSignal, got `'soon'` \(string\)/);
      expect(() => p.join({ timeout: '1' as unknown as number })).to.throw(TypeError, /timeout to be a number of milliseconds/);
      expect(() => p.join([] as unknown as number)).to.throw(TypeError, /timeout in milliseconds or an options object \{ timeout, signal \}, got an array/);
      const throwing = new Proxy({}, { has: () => { throw new Error('trap'); } });
      expect(() => p.join(throwing)).to.throw(TypeError, /Reading the options of join\(\) threw: trap\. Pass a plain \{ timeout, signal \} object/);
    } finally {
      p.kill();
    }
    return p.join();
  });
});

function expectAbort(error: Error, cause: unknown): void {
  expect(error.name).to.equal('AbortError');
  expect(error.cause).to.equal(cause);
}
