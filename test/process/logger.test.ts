import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { getLogger, logToStderr, MissingDependencyError, setLogger, type Logger } from '../../src/index.js';
import { ROOT, runScript } from '../helpers.js';

// An app's pino logger writing its records into an array.
function appLogger(level: string): { app: pino.Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const app = pino({ level }, { write: (line: string) => void lines.push(line) });
  return { app, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('logging', () => {
  describe('level names', () => {
    let logger: Logger;
    let before: Logger['level'];
    beforeEach(() => {
      logger = getLogger();
      before = logger.level;
    });
    afterEach(() => {
      logger.level = before;
    });

    it("should accept pino's and Python's names in one ordering, and silent", () => {
      logger.level = 'warn';
      expect(logger.isLevelEnabled('warning')).to.equal(true);
      expect(logger.isLevelEnabled('subwarning')).to.equal(false);
      logger.level = 'subwarning';
      expect(logger.isLevelEnabled('info')).to.equal(false);
      expect(logger.isLevelEnabled('subwarning')).to.equal(true);
      logger.level = 'silent';
      expect(logger.level).to.equal('silent');
      expect(logger.isLevelEnabled('critical')).to.equal(false);
      for (const method of ['trace', 'subdebug', 'debug', 'info', 'subwarning', 'warn', 'warning', 'error', 'fatal', 'critical'] as const) {
        expect(logger[method]).to.be.a('function');
      }
    });

    it("should take 'silent' and pino's names in logToStderr, and refuse an unknown name naming the known ones", () => {
      const settings = { level: before };
      try {
        expect(logToStderr('silent').level).to.equal('silent');
        expect(logToStderr('WARN').level).to.equal('warning');
        expect(() => logToStderr('loud' as 'info')).to.throw(TypeError, /one of .*warn.*silent.*got `loud`/);
      } finally {
        logger.level = settings.level;
      }
    });
  });

  describe('setLogger', () => {
    afterEach(() => setLogger(null));

    it("should log through the app's logger, with processName as a binding and Python's names mapped to pino's", () => {
      const { app, records } = appLogger('debug');
      const logger = setLogger(app);
      expect(getLogger()).to.equal(logger);
      logger.warning('w %d', 1);
      logger.critical('c');
      logger.subdebug('below debug: not written');
      logger.info({ extra: true }, 'with an object');
      expect(records().map(({ level, msg, processName, extra }) => ({ level, msg, processName, extra }))).to.deep.equal([
        { level: 40, msg: 'w 1', processName: 'MainProcess', extra: undefined },
        { level: 60, msg: 'c', processName: 'MainProcess', extra: undefined },
        { level: 30, msg: 'with an object', processName: 'MainProcess', extra: true },
      ]);
    });

    it("should follow the app logger's level until the library's is set, mapping Python's names", () => {
      const { app } = appLogger('info');
      const logger = setLogger(app);
      app.level = 'error';
      expect(logger.level).to.equal('error');
      expect(logger.isLevelEnabled('warning')).to.equal(false);
      logger.level = 'warning';
      expect(logger.level).to.equal('warn');
      expect(app.level).to.equal('error'); // the app's own logger is left alone
      expect(logger.child({ job: 1 }).warning).to.be.a('function');
    });

    it('should go back to the library logger with setLogger(null) or logToStderr(), and refuse a non-logger', () => {
      const level = getLogger().level; // the library's own, to restore: logToStderr() below goes back to it
      const { app } = appLogger('info');
      const adapted = setLogger(app);
      expect(setLogger(null)).to.not.equal(adapted);
      setLogger(app);
      expect(logToStderr()).to.not.equal(adapted);
      getLogger().level = level;
      expect(() => setLogger({} as never)).to.throw(TypeError, /pino logger/);
    });

    it("should log a child's events to stderr at the app logger's level, the parent's to the app's logger", async () => {
      const result = await runScript('test/fixtures/drivers/app-logger.ts', ['debug'], { timeoutMs: 60_000 });
      expect(result.code, result.stderr).to.equal(0);
      const records = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records[0]).to.include({ level: 40, msg: 'the library logs through the app', processName: 'MainProcess', app: 'demo' });
      expect(records.some((r) => /^started Logger-1 \(pid \d+\)$/.test(String(r.msg)) && r.level === 20)).to.equal(true);
      const lines = result.stderr.split('\n');
      expect(lines).to.include('[DEBUG/Logger-1] a debug line');
      expect(lines).to.include('[WARNING/Logger-1] a warning line');
    });
  });

  describe('without pino installed (an optional peer dependency)', () => {
    let app: string | undefined;
    after(() => app && rmSync(app, { recursive: true, force: true }));

    it('should run processes, and fail logToStderr() with MissingDependencyError naming `npm install pino`', async () => {
      // An app whose node_modules has the built library and its dependencies, but no pino.
      app = mkdtempSync(join(tmpdir(), 'rxmp-no-pino-'));
      const lib = join(app, 'node_modules', 'rx-multiprocessing');
      mkdirSync(lib, { recursive: true });
      cpSync(join(ROOT, 'dist'), join(lib, 'dist'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(lib, 'package.json'));
      for (const dep of ['rxjs', 'tslib', 'es-module-lexer']) symlinkSync(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep));
      writeFileSync(
        join(app, 'main.mjs'),
        [
          "import { Process, isMainModule, logToStderr } from 'rx-multiprocessing';",
          'export function work() { process.exit(3); }',
          'if (isMainModule(import.meta.url)) {',
          '  const p = new Process({ target: work }); p.start(); await p.join();',
          '  try { logToStderr("info"); } catch (e) { console.log(JSON.stringify({ exitCode: p.exitCode, name: e.name, code: e.code, packageName: e.packageName, message: e.message })); }',
          '}',
        ].join('\n'),
      );
      const result = await runScript(join(app, 'main.mjs'), [], { node: true, timeoutMs: 60_000 });
      expect(result.code, result.stderr).to.equal(0);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(report).to.include({ exitCode: 3, name: 'MissingDependencyError', code: 'ERR_MISSING_DEPENDENCY', packageName: 'pino' });
      expect(report.message).to.match(/`npm install pino`/);
      expect(new MissingDependencyError('pino', 'Logging')).to.be.instanceOf(Error);
    });
  });
});
