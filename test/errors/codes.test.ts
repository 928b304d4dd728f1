import { expect } from 'chai';
import {
  ConsumerExitedError,
  JoinableQueue,
  MissingDependencyError,
  MultiprocessingError,
  ProcessExitError,
  ProcessStateError,
  Queue,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  TargetResolutionError,
  TaskDoneError,
  TaskError,
} from '../../src/index.js';

// Each class with one instance as the library makes it, and the code it must keep across releases.
const CASES: readonly (readonly [Function, MultiprocessingError, string])[] = [
  [ProcessStateError, new ProcessStateError('x'), 'ERR_PROCESS_STATE'],
  [TargetResolutionError, new TargetResolutionError('x'), 'ERR_TARGET_RESOLUTION'],
  [SerializationError, new SerializationError('item', new Error('x')), 'ERR_SERIALIZATION'],
  [QueueFullError, new QueueFullError(1), 'ERR_QUEUE_FULL'],
  [QueueEmptyError, new QueueEmptyError(), 'ERR_QUEUE_EMPTY'],
  [QueueClosedError, new QueueClosedError('x'), 'ERR_QUEUE_CLOSED'],
  [TaskDoneError, new TaskDoneError(), 'ERR_TASK_DONE'],
  [ProcessExitError, new ProcessExitError({ processName: 'P', pid: 1, exitCode: 1, signal: null }), 'ERR_PROCESS_EXITED'],
  [ConsumerExitedError, new ConsumerExitedError({ processName: 'P', pid: 1, exitCode: 1, lostItems: 1, reason: 'x' }), 'ERR_CONSUMER_EXITED'],
  [MissingDependencyError, new MissingDependencyError('pino', 'Logging'), 'ERR_MISSING_DEPENDENCY'],
  [TaskError, new TaskError({ processName: 'P', seq: 0, name: 'Error', message: 'x', stack: undefined }), 'ERR_TASK_FAILED'],
];

describe('error codes', () => {
  for (const [cls, error, code] of CASES) {
    it(`should give ${cls.name} the stable code ${code}`, () => {
      expect(error).to.be.instanceOf(cls).and.instanceOf(MultiprocessingError);
      expect(error.code).to.equal(code);
    });
  }

  it('should give every class its own code', () => {
    expect(new Set(CASES.map(([, error]) => error.code)).size).to.equal(CASES.length);
  });

  it('should carry the code on errors the queues throw, as Node errors carry theirs', async () => {
    const q = new Queue<number>(1);
    await q.put(1);
    expect(() => q.putNowait(2)).to.throw(QueueFullError).with.property('code', 'ERR_QUEUE_FULL');
    await q.get();
    expect(() => q.getNowait()).to.throw(QueueEmptyError).with.property('code', 'ERR_QUEUE_EMPTY');
    q.close();
    expect(() => q.putNowait(1)).to.throw(QueueClosedError).with.property('code', 'ERR_QUEUE_CLOSED');
    const jq = new JoinableQueue<number>();
    expect(() => jq.taskDone()).to.throw(TaskDoneError).with.property('code', 'ERR_TASK_DONE');
    jq.close();
  });

  it('should type each code as its literal, so a switch on it narrows', () => {
    // Compile-time checks: assigning a class's code to another literal fails `npm run typecheck`.
    const full: 'ERR_QUEUE_FULL' = new QueueFullError(1).code;
    const done: 'ERR_TASK_DONE' = new TaskDoneError().code;
    expect([full, done]).to.deep.equal(['ERR_QUEUE_FULL', 'ERR_TASK_DONE']);
  });
});
