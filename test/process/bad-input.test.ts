import { expect } from 'chai';
import { JoinableQueue, Process, Queue, SerializationError, getLogger, logToStderr, type Target } from '../../src/index.js';
import { assertNoChildrenLeft, childPidsOf, readRecord, removeTempFiles, runScript, tempFile } from '../helpers.js';
import * as targets from '../fixtures/targets.js';
import { reportCycle } from '../fixtures/queue-targets.js';

// The error `run` throws synchronously (undefined if none).
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('bad input to the Python layer', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  describe('positional block/timeout, as Python passes them', () => {
    const q = new Queue<number>();
    const cases: [string, () => unknown, RegExp][] = [
      ['get(0)', () => (q.get as (...a: unknown[]) => unknown)(0), /Python's get\(0\) is get\(\{ block: false \}\)/],
      ['get(true)', () => (q.get as (...a: unknown[]) => unknown)(true), /Python's get\(True\) is get\(\{ block: true, timeout: ms \}\)/],
      ['get(false)', () => (q.get as (...a: unknown[]) => unknown)(false), /Python's get\(False\) is get\(\{ block: false \}\)/],
      ["get('10')", () => (q.get as (...a: unknown[]) => unknown)('10'), /got `'10'` \(string\)/],
      ['get(Infinity)', () => (q.get as (...a: unknown[]) => unknown)(Infinity), /got `Infinity` \(number\)/],
      ['get(true, 1.0)', () => (q.get as (...a: unknown[]) => unknown)(true, 1.0), /Python's get\(True, 1\) is get\(\{ block: true, timeout: 1000 \}\)/],
      ['put(item, 2)', () => (q.put as (...a: unknown[]) => unknown)(1, 2), /Python's put\(item, 2\) is put\(item, \{ block: true/],
      ["put(item, 'str')", () => (q.put as (...a: unknown[]) => unknown)(1, 'str'), /options of put\(\)/],
      ['put(item, true, 1.0)', () => (q.put as (...a: unknown[]) => unknown)(1, true, 1.0), /put\(item, \{ block: true, timeout: 1000 \}\)/],
      ['put(item, {}, 1)', () => (q.put as (...a: unknown[]) => unknown)(1, {}, 1), /a further argument `1`/],
      ['get(null)', () => (q.get as (...a: unknown[]) => unknown)(null), /options of get\(\)/],
      ['get([])', () => (q.get as (...a: unknown[]) => unknown)([]), /options of get\(\)/],
    ];
    for (const [call, run, message] of cases) {
      it(`should throw TypeError at once for ${call}, never block`, () => {
        expect(run).to.throw(TypeError, message);
        expect(q.qsize()).to.equal(0);
      });
    }

    it('should throw TypeError for JoinableQueue.join(1000), whose only argument is { signal }, naming AbortSignal.timeout', async () => {
      const jq = new JoinableQueue<number>();
      expect(() => (jq.join as (...a: unknown[]) => unknown)(1000)).to.throw(TypeError, /join\(\) takes at most one options object \{ signal \}, got `1000`.*AbortSignal\.timeout\(1000\)/);
      expect(() => (jq.join as (...a: unknown[]) => unknown)({}, 1)).to.throw(TypeError, /at most one options object/);
      await jq.join();
    });

    it('should still take an options object and keep its rules for block and timeout', async () => {
      await q.put(1, { block: false });
      expect(await q.get({ timeout: 10 })).to.equal(1);
      expect(() => q.get({ timeout: 'soon' as unknown as number })).to.throw(TypeError, /timeout/);
    });
  });

  describe('maxsize', () => {
    for (const bad of [1.5, NaN, '10', true, null, {}]) {
      it(`should refuse Queue(${String(bad)}) and JoinableQueue(${String(bad)}) with a TypeError naming maxsize`, () => {
        expect(() => new Queue(bad as number)).to.throw(TypeError, /`maxsize` of Queue/);
        expect(() => new JoinableQueue(bad as number)).to.throw(TypeError, /`maxsize` of JoinableQueue/);
      });
    }

    it('should make Queue(0), Queue(-1) and Queue(Infinity) unbounded, as in Python', async () => {
      for (const maxsize of [0, -1, Infinity]) {
        const q = new Queue<number>(maxsize);
        for (let i = 0; i < 5; i++) q.putNowait(i);
        expect(q.full()).to.equal(false);
      }
    });
  });

  describe('items', () => {
    it('should hand out a copy in the creating process, as get() in any other process does', async () => {
      const q = new Queue<{ list: number[]; when: Date }>();
      const item = { list: [1], when: new Date(0) };
      await q.put(item);
      const got = await q.get();
      expect(got).to.not.equal(item);
      expect(got.list).to.not.equal(item.list);
      expect(got).to.deep.equal(item);
      got.list.push(2);
      expect(item.list).to.deep.equal([1]);
      q.putNowait(item);
      expect(q.getNowait()).to.not.equal(item);
      const numbers = new Queue<number>();
      await numbers.put(7);
      expect(await numbers.get()).to.equal(7);
    });

    it('should keep cycles and shared parts in the copy', async () => {
      const q = new Queue<Record<string, unknown>>();
      const shared = { n: 1 };
      const item: Record<string, unknown> = { a: shared, b: shared };
      item.self = item;
      await q.put(item);
      const got = await q.get();
      expect(got.self).to.equal(got);
      expect(got.a).to.equal(got.b);
    });

    it('should refuse a queue nested at any depth in an item, naming where', () => {
      const q = new Queue<unknown>();
      const inner = new Queue<unknown>();
      expect(() => q.put({ nested: inner })).to.throw(SerializationError, /item\.nested cannot be sent.*Queue cannot be put into a queue/);
      let deep: unknown = { q: inner };
      for (let i = 0; i < 10; i++) deep = [deep];
      expect(() => q.put(deep)).to.throw(SerializationError, /item(\[0\]){10}\.q /);
      expect(() => q.putNowait(new Map([['k', inner]]))).to.throw(SerializationError, /Map value/);
      expect(q.qsize()).to.equal(0);
    });

    it('should refuse a Proxy or a throwing getter with SerializationError naming the path, the cause attached', () => {
      const q = new Queue<unknown>();
      const boom = new Error('boom');
      const proxyError = thrownBy(() => q.put({ a: [new Proxy({}, {})] }));
      expect(proxyError).to.be.instanceOf(SerializationError).with.property('path', 'item.a[0]');
      const getterError = thrownBy(() =>
        q.put({
          get broken(): never {
            throw boom;
          },
        }),
      ) as SerializationError;
      expect(getterError).to.be.instanceOf(SerializationError).with.property('path', 'item.broken');
      expect(getterError.cause).to.equal(boom);
    });

    it('should accept a cyclic item, and refuse a 5,000-deep one with SerializationError (structured clone cannot send it)', async () => {
      const q = new Queue<unknown>();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await q.put(cyclic);
      let deep: unknown = {};
      for (let i = 0; i < 5000; i++) deep = { deep };
      const error = thrownBy(() => q.put(deep)) as SerializationError | undefined;
      expect(error).to.be.instanceOf(SerializationError);
      expect(error?.cause).to.be.instanceOf(RangeError);
    });
  });

  describe('Process options', () => {
    for (const bad of [42, 'str', [], null, true]) {
      it(`should refuse new Process(${JSON.stringify(bad)}) with a TypeError`, () => {
        expect(() => new Process(bad as never)).to.throw(TypeError, /options of Process to be an object/);
      });
    }

    for (const bad of [0, 42, false, {}, Symbol('s')]) {
      it(`should refuse a name of type ${typeof bad}`, () => {
        expect(() => new Process({ name: bad as never })).to.throw(TypeError, /`name` to be a string/);
      });
    }

    it("should take the default name for name: null or '', as Python does", () => {
      expect(new Process({ name: null as never }).name).to.match(/^Process-/);
      expect(new Process({ name: '' }).name).to.match(/^Process-/);
    });

    it('should refuse a Proxy in args before forking anything', () => {
      const before = childPidsOf();
      // Typed, the target would refuse these args at compile time: the check here is the run-time one.
      const p = new Process({ target: targets.noop as Target, args: [1, { inner: new Proxy({}, {}) }] });
      expect(() => p.start()).to.throw(SerializationError, /args\[1\]\.inner of Process-\d+ cannot be sent.*Proxy/);
      expect(childPidsOf()).to.deep.equal(before);
    });

    it('should refuse an argument whose getter throws, naming it, with the cause attached, before forking', () => {
      const boom = new Error('boom');
      const before = childPidsOf();
      const p = new Process({
        target: targets.noop as Target,
        args: [
          {
            get broken(): never {
              throw boom;
            },
          },
        ],
      });
      let error: unknown;
      try {
        p.start();
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(SerializationError).with.property('path').that.matches(/^args\[0\]\.broken of Process-\d+$/);
      expect((error as Error).cause).to.equal(boom);
      expect(childPidsOf()).to.deep.equal(before);
    });

    it('should pass a cyclic argument holding a queue: the cycle is kept and the queue is a working proxy', async () => {
      const q = new Queue<string>();
      const arg: Record<string, unknown> = { q, list: [] };
      arg.self = arg;
      (arg.list as unknown[]).push(arg);
      const p = new Process({ target: reportCycle, args: [arg as Parameters<typeof reportCycle>[0]] });
      p.start();
      expect(await q.get({ timeout: 20_000 })).to.equal('self:true list:true queue:true');
      await p.join();
      expect(p.exitCode).to.equal(0);
      expect(arg.q).to.equal(q); // the caller's value is left as it was
    });

    it('should start an exported Process subclass whose methods name their own class', async () => {
      const file = tempFile();
      const result = await runScript('test/fixtures/drivers/self-aware-subclass.ts', [file], { timeoutMs: 60_000 });
      expect(result.stdout).to.equal('exitCode=0\n');
      expect(readRecord(file)).to.deep.equal({ isSelf: true, runs: 1 });
    });
  });

  describe('logging levels', () => {
    it("should accept pino's warn, fatal and trace, as the nearest Python level", () => {
      const logger = getLogger();
      const before = logger.level;
      try {
        logger.level = 'warn';
        expect(logger.level).to.equal('warning');
        logger.level = 'fatal';
        expect(logger.level).to.equal('critical');
        expect(() => logger.warn('below the level: not printed')).to.not.throw();
        logger.level = 'trace';
        expect(logger.level).to.equal('subdebug');
      } finally {
        logger.level = before;
      }
      expect(typeof logToStderr).to.equal('function');
    });

    it("should make a child started after logToStderr('error') log at that level, warn included", async () => {
      const result = await runScript('test/fixtures/drivers/log-level-error.ts', ['warn'], { timeoutMs: 60_000 });
      expect(result.stdout).to.contain('exitCode=0');
      expect(result.stderr).to.contain('[WARNING/Logger-1] a warn line from the child');
      expect(result.stderr).to.contain('[ERROR/Logger-1] after warn');
      const errorOnly = await runScript('test/fixtures/drivers/log-level-error.ts', ['error'], { timeoutMs: 60_000 });
      expect(errorOnly.stdout).to.contain('exitCode=0');
      expect(errorOnly.stderr).to.contain('[ERROR/Logger-1] an error line from the child');
      expect(errorOnly.stderr).to.not.contain('warn line');
    });
  });
});
