import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import {
  Process,
  ProcessStateError,
  SerializationError,
  TargetResolutionError,
  activeChildren,
  currentProcess,
  parentProcess,
  type Target,
} from '../../src/index.js';
import { INIT_ERROR } from '../../src/internal/symbols.js';
import { assertNoChildrenLeft, fixtureModule, isPidAlive, readRecord, removeTempFiles, tempFile, waitFor } from '../helpers.js';
import { captureStderr, stderrOf, withPipedStderr } from '../stderr-capture.js';
import * as targets from '../fixtures/targets.js';

// Not exported, on purpose: children cannot import these.
function notExported(): void {}
const arrowInVariable = (): void => {};

describe('Process', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  describe('start, join and exit codes', () => {
    captureStderr();
    it('should run the target in another process and exit with 0', async () => {
      const file = tempFile();
      const p = new Process({ target: targets.recordIdentity, args: [file] });
      expect(p.pid).to.equal(undefined);
      expect(p.exitCode).to.equal(null);
      expect(p.isAlive()).to.equal(false);
      p.start();
      expect(p.pid).to.be.a('number').and.not.equal(process.pid);
      expect(p.isAlive()).to.equal(true);
      expect(activeChildren()).to.include(p);
      await p.join();
      expect(p.exitCode).to.equal(0);
      expect(p.isAlive()).to.equal(false);
      expect(activeChildren()).to.not.include(p);
      const record = readRecord<{ pid: number; current: { name: string } }>(file);
      expect(record.pid).to.equal(p.pid);
      expect(record.current.name).to.equal(p.name);
      expect(isPidAlive(p.pid as number)).to.equal(false);
    });

    it('should pass args by structured clone', async () => {
      const file = tempFile();
      const args = [1, 'two', { three: [3] }, new Map([['k', new Set([1, 2])]]), new Date(0), null, undefined, 10n];
      const p = new Process({ target: targets.recordArgs, args: [file, ...args] });
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(0);
      expect(readRecord(file)).to.deep.equal(args);
    });

    it('should accept an explicit { module, export } target', async () => {
      const file = tempFile();
      const module = fixtureModule('targets');
      const p = new Process({ target: { module, export: 'recordArgs' }, args: [file, 'explicit'] });
      p.start();
      await p.join();
      expect(readRecord(file)).to.deep.equal(['explicit']);
    });

    it('should run an async target to completion before exiting', async () => {
      const p = new Process({ target: targets.sleep, args: [200] });
      p.start();
      await p.join(50);
      expect(p.exitCode).to.equal(null);
      await p.join();
      expect(p.exitCode).to.equal(0);
    });

    it('should exit with 1 when the target throws or rejects', async () => {
      const p = new Process(withPipedStderr({ target: targets.throwError, args: ['boom'] }));
      const q = new Process(withPipedStderr({ target: targets.rejectLater, args: ['later'] }));
      p.start();
      q.start();
      await Promise.all([p.join(), q.join()]);
      expect([p.exitCode, q.exitCode]).to.deep.equal([1, 1]);
      // CPython's child prints `Process <name>:` and the traceback on its stderr.
      expect(await stderrOf(p)).to.match(new RegExp(`(^|\\n)Process ${p.name}:\\nError: boom\\n\\s+at throwError`));
      expect(await stderrOf(q)).to.match(new RegExp(`(^|\\n)Process ${q.name}:\\nTypeError: later\\n\\s+at rejectLater`));
    });

    it("should report process.exit(n) as n, keeping the OS's low 8 bits", async () => {
      const codes = [0, 7, 256, -1];
      const ps = codes.map((code) => new Process({ target: targets.exitWith, args: [code] }));
      ps.forEach((p) => p.start());
      await Promise.all(ps.map((p) => p.join()));
      expect(ps.map((p) => p.exitCode)).to.deep.equal([0, 7, 0, 255]);
    });

    it("should finish the work a target left behind, and a beforeExit listener's, before it exits with 0", async () => {
      const file = tempFile();
      const p = new Process({ target: targets.leaveWorkBehind, args: [file] });
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(0);
      expect(readFileSync(file, 'utf8')).to.equal('timer;beforeExit;');
    });

    it('should run nothing and exit with 0 without a target', async () => {
      const p = new Process();
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(0);
    });
  });

  describe('join(timeout)', () => {
    it('should settle after the timeout while the child still runs', async () => {
      const p = new Process({ target: targets.sleepForever });
      p.start();
      const started = Date.now();
      await p.join(150);
      expect(Date.now() - started).to.be.within(100, 5000);
      expect(p.exitCode).to.equal(null);
      expect(p.isAlive()).to.equal(true);
      p.kill();
      await p.join();
    });

    it('should treat 0 and negative timeouts as a poll', async () => {
      const p = new Process({ target: targets.sleepForever });
      p.start();
      const started = Date.now();
      await p.join(0);
      await p.join(-1);
      expect(Date.now() - started).to.be.below(1000);
      expect(p.exitCode).to.equal(null);
      p.terminate();
      await p.join(null);
      expect(p.exitCode).to.equal(-constants.signals.SIGTERM);
    });

    it('should reject NaN and non-numbers with a TypeError', () => {
      const p = new Process({ target: targets.noop });
      p.start();
      expect(() => p.join(Number.NaN)).to.throw(TypeError, /timeout to be a number of milliseconds/);
      expect(() => p.join('1' as unknown as number)).to.throw(TypeError, /got `1` \(string\)/);
      return p.join();
    });

    it('should allow joining many times, also after exit', async () => {
      const p = new Process({ target: targets.noop });
      p.start();
      await Promise.all([p.join(), p.join(), p.join(10_000)]);
      await p.join();
      expect(p.exitCode).to.equal(0);
    });
  });

  describe('terminate and kill', () => {
    it('should report SIGTERM as -15 and SIGKILL as -9', async () => {
      const t = new Process({ target: targets.sleepForever });
      const k = new Process({ target: targets.sleepForever });
      t.start();
      k.start();
      t.terminate();
      k.kill();
      await Promise.all([t.join(), k.join()]);
      expect(t.exitCode).to.equal(-15);
      expect(k.exitCode).to.equal(-9);
      expect(isPidAlive(t.pid as number)).to.equal(false);
    });

    it('should be a no-op after exit, leaving exitCode unchanged', async () => {
      const p = new Process({ target: targets.noop });
      p.start();
      await p.join();
      p.terminate();
      p.kill();
      expect(p.exitCode).to.equal(0);
    });
  });

  describe('names and identity', () => {
    it('should name processes Process-N from a counter that advances at construction', () => {
      const a = new Process();
      const named = new Process({ name: 'custom' });
      const b = new Process({ name: '' });
      const na = Number(a.name.split('-')[1]);
      expect(a.name).to.match(/^Process-\d+$/);
      expect(named.name).to.equal('custom');
      expect(b.name).to.equal(`Process-${na + 2}`);
    });

    it('should give the child the name its parent chose', async () => {
      const file = tempFile();
      const p = new Process({ target: targets.recordIdentity, args: [file], name: 't1' });
      p.start();
      await p.join();
      const record = readRecord<{ current: { name: string; daemon: boolean }; parent: { name: string; pid: number; alive: boolean } }>(file);
      expect(record.current).to.include({ name: 't1', daemon: false });
      expect(record.parent).to.deep.equal({ name: 'MainProcess', pid: process.pid, alive: true });
    });

    it('should name a grandchild Process-N:1 and tell it its parent', async () => {
      const file = tempFile();
      const grandchildFile = tempFile();
      const p = new Process({ target: targets.startGrandchild, args: [file, grandchildFile] });
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(0);
      const n = p.name.split('-')[1];
      const child = readRecord<{ name: string }>(file);
      const grandchild = readRecord<{ current: { name: string }; parent: { name: string; pid: number } }>(grandchildFile);
      expect(child.name).to.equal(`Process-${n}:1`);
      expect(grandchild.current.name).to.equal(`Process-${n}:1`);
      expect(grandchild.parent).to.include({ name: p.name, pid: p.pid });
    });

    it('should describe the main process', () => {
      expect(currentProcess()).to.deep.equal({ name: 'MainProcess', pid: process.pid, daemon: false });
      expect(parentProcess()).to.equal(null);
    });

    it('should reject a name that is not a string', () => {
      const p = new Process();
      expect(() => {
        p.name = 5 as unknown as string;
      }).to.throw(TypeError, /`name` to be a string/);
    });
  });

  describe('subclasses', () => {
    it('should rebuild an exported subclass in the child and call its run()', async () => {
      const file = tempFile();
      const w = new targets.Worker(file, [1, 2, 3]);
      expect(w.name).to.match(/^Worker-\d+$/);
      w.start();
      await w.join();
      expect(w.exitCode).to.equal(0);
      expect(readRecord(file)).to.deep.equal({ name: w.name, label: 'worker-label', items: [1, 2, 3], daemon: false });
    });

    it('should refuse a subclass the child cannot import', () => {
      class Local extends Process {
        override run(): void {}
      }
      const p = new Local();
      expect(() => p.start()).to.throw(TargetResolutionError, /Process subclass `Local`/);
      expect(p.pid).to.equal(undefined);
    });
  });

  describe('targets a child cannot import', () => {
    captureStderr();
    const cases: [string, unknown, RegExp][] = [
      ['an arrow function held in a variable that is not exported', arrowInVariable, /does not export it/],
      ['a function its module does not export', notExported, /does not export it/],
      ['a closure', (() => { const x = 1; return function closure() { return x; }; })(), /inside another function|closure/],
      ['an anonymous function', [() => {}][0], /anonymous/],
      ['a bound function', targets.noop.bind(null), /bound function/],
      ['a class method', new targets.Worker('', []).run, /does not export it|class method/],
      ['a built-in', Math.max, /built-in/],
    ];
    for (const [label, target, message] of cases) {
      it(`should throw TargetResolutionError for ${label}, forking nothing`, () => {
        const before = activeChildren().length;
        const p = new Process({ target: target as () => void });
        expect(() => p.start()).to.throw(TargetResolutionError, message).with.property('message').that.matches(/export function/);
        expect(p.pid).to.equal(undefined);
        expect(activeChildren()).to.have.length(before);
      });
    }

    it('should report an export missing in the child as init-failed, exit 1', async () => {
      const module = fixtureModule('targets');
      const p = new Process(withPipedStderr({ target: { module, export: 'noSuchExport' } }));
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(1);
      expect(await stderrOf(p)).to.match(new RegExp(`(^|\\n)Process ${p.name}:\\nTargetResolutionError: .* has no exported function \`noSuchExport\``));
      expect(p[INIT_ERROR as keyof Process]).to.include({ name: 'TargetResolutionError', exportName: 'noSuchExport' });
    });

    it('should report a module that fails to import as init-failed, exit 1', async () => {
      const p = new Process(withPipedStderr({ target: { module: './test/fixtures/does-not-exist.ts', export: 'x' } }));
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(1);
      expect(await stderrOf(p)).to.match(new RegExp(`(^|\\n)Process ${p.name}:\\nTargetResolutionError: The child process could not import`));
      const error = p[INIT_ERROR as keyof Process] as unknown as { message: string };
      expect(error.message).to.match(/could not import .*does-not-exist/);
    });
  });

  describe('arguments that cannot be cloned', () => {
    it('should throw SerializationError naming the argument, forking nothing', () => {
      const p = new Process({ target: targets.recordArgs, args: ['file', () => 1] });
      expect(() => p.start()).to.throw(SerializationError, /args\[1\]/);
      expect(p.pid).to.equal(undefined);
      expect(p.isAlive()).to.equal(false);
      // The object stays unstarted and fails the same way again, as in CPython.
      expect(() => p.start()).to.throw(SerializationError);
    });

    it('should throw SerializationError for a symbol argument', () => {
      const p = new Process({ target: targets.recordArgs as Target, args: [Symbol('s')] });
      expect(() => p.start()).to.throw(SerializationError, /args\[0\]/);
    });

    it('should throw a TypeError for args that are not iterable', () => {
      expect(() => new Process({ args: 1 as unknown as unknown[] })).to.throw(TypeError, /`args` to be an array/);
    });
  });

  describe('state errors', () => {
    it('should refuse to start twice, also after exit', async () => {
      const p = new Process({ target: targets.noop });
      p.start();
      expect(() => p.start()).to.throw(ProcessStateError, /twice/);
      await p.join();
      expect(() => p.start()).to.throw(ProcessStateError, /twice/);
    });

    it('should refuse join, terminate and kill before start', () => {
      const p = new Process({ target: targets.noop });
      expect(() => p.join()).to.throw(ProcessStateError, /never started/);
      expect(() => p.terminate()).to.throw(ProcessStateError, /never started/);
      expect(() => p.kill()).to.throw(ProcessStateError, /never started/);
    });

    it('should refuse to set daemon after start', async () => {
      const p = new Process({ target: targets.noop });
      p.start();
      expect(() => {
        p.daemon = true;
      }).to.throw(ProcessStateError, /already started/);
      await p.join();
    });

    it('should refuse to close a running process, and any use after close', async () => {
      const p = new Process({ target: targets.sleep, args: [100] });
      p.start();
      expect(() => p.close()).to.throw(ProcessStateError, /still running.*join\(\) or terminate\(\)/);
      await p.join();
      p.close();
      p.close();
      expect(p.name).to.match(/^Process-/);
      expect(() => p.pid).to.throw(ProcessStateError, /closed/);
      expect(() => p.exitCode).to.throw(ProcessStateError, /closed/);
      expect(() => p.isAlive()).to.throw(ProcessStateError, /closed/);
      expect(() => p.join()).to.throw(ProcessStateError, /closed/);
      expect(() => p.start()).to.throw(ProcessStateError, /closed/);
    });

    it('should refuse start after closing an unstarted process', () => {
      const p = new Process();
      p.close();
      expect(() => p.start()).to.throw(ProcessStateError, /closed/);
    });
  });

  describe('daemons', () => {
    it('should inherit daemon=false in the main process and pass the flag to the child', async () => {
      const file = tempFile();
      expect(new Process().daemon).to.equal(false);
      const p = new Process({ target: targets.recordIdentity, args: [file], daemon: true });
      p.start();
      await p.join();
      expect(readRecord<{ current: { daemon: boolean } }>(file).current.daemon).to.equal(true);
    });

    it('should refuse to let a daemon start children', async () => {
      const file = tempFile();
      const p = new Process({ target: targets.tryStartChild, args: [file], daemon: true });
      p.start();
      await p.join();
      expect(readRecord(file)).to.deep.include({ name: 'ProcessStateError' });
      expect(readRecord<{ message: string }>(file).message).to.match(/Daemonic processes are not allowed to have children/);
    });

    it('should keep a joined daemon alive until it exits, then let go', async () => {
      const p = new Process({ target: targets.sleep, args: [100], daemon: true });
      p.start();
      await p.join();
      expect(p.exitCode).to.equal(0);
    });
  });

  describe('cleanup', () => {
    it('should not list a finished child in activeChildren', async () => {
      const p = new Process({ target: targets.noop });
      p.start();
      await waitFor(() => p.exitCode !== null, 10_000);
      expect(activeChildren()).to.not.include(p);
      expect(existsSync('/proc/' + String(p.pid))).to.equal(false);
    });
  });
});
