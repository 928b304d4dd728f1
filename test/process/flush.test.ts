import { expect } from 'chai';
import { Process } from '../../src/index.js';
import { HANDLE } from '../../src/internal/symbols.js';
import { assertNoChildrenLeft } from '../helpers.js';
import { captureStderr, stderrOf, withPipedStderr } from '../stderr-capture.js';
import { sendThenExit } from '../fixtures/flush-targets.js';

// Node drops unwritten IPC messages when a process exits; the child runtime must not.
describe('Child IPC flushing', () => {
  afterEach(assertNoChildrenLeft);
  captureStderr();

  const count = 200;
  const size = 100_000;
  for (const [how, exitCode] of [['return', 0], ['exit', 3], ['throw', 1]] as const) {
    it(`should deliver every message sent before the child ends by ${how}`, async () => {
      const p = new Process(withPipedStderr({ target: sendThenExit, args: [count, size, how] }));
      p.start();
      let received = 0;
      p[HANDLE].on('message', (m: { test?: string; payload?: string }) => {
        if (m.test === 'flush' && m.payload?.length === size) received++;
      });
      await p.join();
      expect(p.exitCode).to.equal(exitCode);
      expect(received).to.equal(count);
      if (how === 'throw') expect(await stderrOf(p)).to.match(/Error: after sending\n\s+at sendThenExit/);
    });
  }
});
