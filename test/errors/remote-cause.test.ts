import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { ConsumerExitedError, ProcessExitError, TaskError, consume, producer } from '../../src/index.js';
import { assertChildrenExitSoon } from '../helpers.js';
import { captureStderr, consumersFail } from '../stderr-capture.js';
import { failsWithCause, failsWithCauseOn } from '../fixtures/cause-targets.js';

// The error a child failed with reaches the parent as `cause`: an Error with the child's name,
// message and stack (its class stayed in the child), and its own cause likewise.
describe("a child's error as the parent's error's cause", () => {
  afterEach(() => assertChildrenExitSoon());
  const stderr = captureStderr();

  it("should attach a producer's thrown error, with its stack and its own cause, to ProcessExitError", async () => {
    const error = await lastValueFrom(producer<number>(failsWithCause, { args: [2] }).pipe(toArray())).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProcessExitError).with.property('exitCode', 1);
    const cause = (error as ProcessExitError).cause as Error;
    expect(cause).to.be.instanceOf(Error).and.include({ name: 'Error', message: 'producer broke' });
    expect(cause.stack).to.match(/^Error: producer broke\n\s+at failsWithCause \(.*cause-targets\.[jt]s/);
    const inner = cause.cause as Error;
    expect(inner).to.be.instanceOf(Error).and.include({ name: 'RangeError', message: 'the disk is full' });
    expect(inner.stack).to.match(/^RangeError: the disk is full\n\s+at failsWithCause/);
    expect((error as Error).message).to.match(/It failed with Error: producer broke \(its stack is in `cause`\)/);
    // The crash report is still printed, as CPython's child prints it.
    expect(stderr.text()).to.match(/Process .*:\nError: producer broke\n\s+at failsWithCause/);
  });

  it("should keep a handler's error's own cause under TaskError's cause", async () => {
    const error = await lastValueFrom(from([1, 2, 3]).pipe(consume<number, number>(failsWithCauseOn, { processes: 1, args: [2] }), toArray())).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskError);
    const cause = (error as TaskError).cause as Error;
    expect(cause).to.include({ name: 'Error', message: 'item 2 failed' });
    const inner = cause.cause as Error;
    expect(inner).to.be.instanceOf(Error).and.include({ name: 'RangeError', message: 'inner reason' });
    expect(inner.stack).to.match(/\n\s+at failsWithCauseOn/);
  });

  it('should attach the uncaught error that killed a consumer to ConsumerExitedError', async () => {
    // from([1, 2, 3]) → consume(crashesOn, { args: [2], onConsumerExit: 'error' }), in a script whose stderr is read.
    const failed = await consumersFail('uncaught-error');
    expect(failed).to.include({ name: ConsumerExitedError.name, exitCode: 1 });
    expect(failed.cause).to.include({ name: 'TypeError', message: 'crashed outside the handler on 2' });
    expect(failed.cause?.stack).to.match(/\n\s+at Immediate\.<anonymous> \(.*cause-targets\.[jt]s/);
    expect(failed.stderr).to.match(/(^|\n)Process Process-\d+:\nTypeError: crashed outside the handler on 2/);
  });
});
