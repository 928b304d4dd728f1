import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lastValueFrom, from, toArray } from 'rxjs';
import { Process, TargetResolutionError, consume } from '../../src/index.js';
import { assertChildrenExitSoon, removeTempFiles, tempFile } from '../helpers.js';

// Loaded as CommonJS, as a CommonJS app's require() loads its own modules.
const require = createRequire(import.meta.url);
const handlers = require('../fixtures/commonjs/handlers.js') as {
  square: (x: number) => number;
  report: (file: string, tag: string) => void;
  peekUnexported: () => () => void;
};
const exportsStyle = require('../fixtures/commonjs/exports-style.js') as {
  viaExports: (file: string) => void;
  viaModuleExports: (file: string) => void;
};
const reportDefault = require('../fixtures/commonjs/default-style.cjs') as (file: string) => void;

// A CommonJS module's top level runs inside the module wrapper, so every function in it closes over
// that wrapper's scope: the scope alone cannot tell a top-level function from a nested one.
describe('Process targets in CommonJS modules', () => {
  // consume() signals its consumers on completion without waiting for them.
  afterEach(() => assertChildrenExitSoon());
  after(removeTempFiles);

  async function runTarget(target: (file: string, ...rest: string[]) => void, ...rest: string[]): Promise<string> {
    const file = tempFile('commonjs');
    const p = new Process({ target, args: [file, ...rest] });
    p.start();
    await p.join();
    expect(p.exitCode).to.equal(0);
    const [pid, tag] = readFileSync(file, 'utf8').split(':');
    expect(Number(pid)).to.equal(p.pid).and.not.equal(process.pid);
    return tag as string;
  }

  it('should run a top-level function of `module.exports = { … }`, in a module that also uses import()', async () => {
    expect(await runTarget(handlers.report, 'object')).to.equal('object');
  });

  it('should run functions exported as `exports.x =` and `module.exports.x =`', async () => {
    expect(await runTarget(exportsStyle.viaExports)).to.equal('exports');
    expect(await runTarget(exportsStyle.viaModuleExports)).to.equal('module.exports');
  });

  it('should run a module whose `module.exports` is the function itself', async () => {
    expect(await runTarget(reportDefault)).to.equal('default');
  });

  it('should consume() with a CommonJS handler', async () => {
    const results = await lastValueFrom(from([1, 2, 3]).pipe(consume(handlers.square), toArray()));
    expect([...results].sort()).to.deep.equal([1, 4, 9]);
  });

  it('should refuse a function the module does not export, naming `module.exports` as the fix', () => {
    const p = new Process({ target: handlers.peekUnexported() });
    expect(() => p.start())
      .to.throw(TargetResolutionError, /`notExported` cannot be imported by a child process: its module does not export it/)
      .with.property('message')
      .that.includes('`module.exports.notExported = notExported`');
    expect(p.pid).to.equal(undefined);
  });
});
