import { expect } from 'chai';
import { Socket } from 'node:net';
import { from, lastValueFrom, toArray } from 'rxjs';
import { consume, Pool, Process, Queue, SerializationError, TaskError } from '../../src/index.js';
import { add, returnFunction } from '../fixtures/pool-targets.js';
import { uncloneableOn } from '../fixtures/rx-targets.js';
import { printArgs } from '../fixtures/targets.js';

class Point {
  constructor(
    readonly x: number,
    readonly onMove: () => void,
  ) {}
}

// The message's first sentence, and that the rest follows it after exactly one full stop.
function refusal(run: () => unknown): SerializationError {
  let error: unknown;
  try {
    run();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).to.be.instanceOf(SerializationError);
  const serialization = error as SerializationError;
  expect(serialization.message).not.to.match(/\.\./);
  expect(serialization.message).to.match(/ cannot be sent to another process: [^\n]+\. Only structured-cloneable values cross processes/);
  return serialization;
}

describe('SerializationError names the value, its type and its path', () => {
  const sockets: Socket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));
  const socket = (): Socket => {
    const s = new Socket();
    sockets.push(s);
    return s;
  };

  describe('in the arguments of a Process', () => {
    const start = (args: unknown[]) => () => new Process({ target: printArgs, args }).start();

    it('should name a function argument by position and type, not by its source', () => {
      const error = refusal(start([1, function handler() {}]));
      expect(error.path).to.match(/^args\[1\] of Process-\d+$/);
      expect(error.valueType).to.equal('function handler');
      expect(error.message).to.match(/^args\[1\] of Process-\d+: function handler cannot be sent to another process: functions do not clone\./);
    });

    it('should name a socket nested in an argument as net.Socket at its path, without quoting Node internals', () => {
      const error = refusal(start([{ socket: socket() }]));
      expect(error.path).to.match(/^args\[0\]\.socket of Process-\d+$/);
      expect(error.valueType).to.equal('net.Socket');
      expect(error.message).to.match(/^args\[0\]\.socket of Process-\d+: net\.Socket cannot be sent/);
      expect(error.message).not.to.match(/\{\n/); // no function source
    });

    it('should name a symbol deep in an argument by its path', () => {
      const error = refusal(start([{ list: [1, 2, Symbol('s')] }]));
      expect(error.path).to.match(/^args\[0\]\.list\[2\] of Process-\d+$/);
      expect(error.valueType).to.equal('symbol');
    });

    it('should name a class instance holding a function by its class, and the field that fails', () => {
      const error = refusal(start([new Point(1, () => {})]));
      expect(error.path).to.match(/^args\[0\] of Process-\d+$/);
      expect(error.valueType).to.equal('Point');
      expect(error.message).to.match(/Point cannot be sent .*holds a function \(at \.onMove\)/);
    });

    it('should name an object structured clone refuses for itself (a Promise, a WeakMap)', () => {
      expect(refusal(start([{ pending: Promise.resolve(1) }]))).to.include({ valueType: 'Promise' }).and.property('path').that.matches(/^args\[0\]\.pending of/);
      expect(refusal(start([new Map([['k', new WeakMap()]])]))).to.include({ valueType: 'WeakMap' }).and.property('path').that.matches(/^args\[0\]\.<Map value 0> of/);
    });
  });

  describe('in queue items', () => {
    it('should name a function field, a symbol and a socket in an item', () => {
      const q = new Queue<unknown>();
      try {
        expect(refusal(() => q.putNowait({ handler: function handler() {} }))).to.include({ path: 'item.handler', valueType: 'function handler' });
        expect(refusal(() => q.putNowait(Symbol('x')))).to.include({ path: 'item', valueType: 'symbol' });
        expect(refusal(() => q.putNowait([{ s: socket() }]))).to.include({ path: 'item[0].s', valueType: 'net.Socket' });
      } finally {
        q.close();
      }
    });

    it('should name an item consume() cannot send to its consumers', async () => {
      const error = await lastValueFrom(from<unknown[]>([1, { run: () => 2 }]).pipe(consume(uncloneableOn as (item: unknown, bad: number) => unknown, { processes: 1, args: [0] }), toArray())).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SerializationError).and.include({ path: 'item.run', valueType: 'function run' });
      expect((error as Error).message).not.to.match(/\.\./);
    });
  });

  describe('in results and Pool calls', () => {
    it("should name a handler's result that cannot return to the parent, inside the TaskError", async () => {
      const error = await lastValueFrom(from([1, 2]).pipe(consume<number, unknown>(uncloneableOn, { processes: 1, args: [2] }), toArray())).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TaskError);
      const cause = (error as TaskError).cause as Error;
      expect(cause.name).to.equal('SerializationError');
      expect(cause.message).to.match(/^the handler's result: function cannot be sent to another process: functions do not clone\./);
    });

    it("should name a Pool task's argument and result by path and type", async () => {
      await using pool = new Pool({ processes: 1 });
      const args = await pool.apply(add, [1, { f: Symbol('x') } as unknown as number]).catch((e: unknown) => e);
      expect(args).to.be.instanceOf(SerializationError).and.include({ valueType: 'symbol' });
      expect((args as SerializationError).path).to.match(/\.f$/);
      const result = await pool.apply(returnFunction, []).catch((e: unknown) => e);
      const cause = (result as TaskError).cause as Error;
      expect(cause.message).to.match(/: function cannot be sent to another process: functions do not clone\./);
      expect(cause.message).not.to.match(/\.\./);
    });
  });
});
