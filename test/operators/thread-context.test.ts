import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { ConsumerExitedError, Pool, consume, getStartMethod, producer, setStartMethod } from '../../src/index.js';
import { assertChildrenExitSoon, runScript } from '../helpers.js';
import { AS_NOBODY, killLeftovers, runLimited } from '../limited-run.js';
import * as rx from '../fixtures/rx-targets.js';

// What is particular to the thread context; the pipeline behaviours themselves run in threads in
// pipeline.test.ts and contract.test.ts.
describe("context: 'thread'", () => {
  afterEach(() => assertChildrenExitSoon());

  it('should start five consumer threads and have every result within a generous bound', async () => {
    const started = performance.now();
    const results = await lastValueFrom(from([1, 2, 3, 4, 5]).pipe(consume<number, { item: number; pid: number; name: string }>(rx.withPid, { processes: 5, prefetch: 1, context: 'thread' }), toArray()));
    const ms = performance.now() - started;
    console.log(`      5 consumer threads, 5 results: ${ms.toFixed(0)} ms`);
    // Generous: under tsx each thread registers the loader and compiles the library's source.
    expect(ms).to.be.below(10_000);
    expect(results.map((r) => r.item).sort()).to.deep.equal([1, 2, 3, 4, 5]);
    // A thread has this process's pid; its name is its own.
    expect(new Set(results.map((r) => r.pid))).to.deep.equal(new Set([process.pid]));
    expect(results.every((r) => /^Process-/.test(r.name))).to.equal(true);
  });

  it('should end only its thread when a handler calls process.exit(), as a consumer process that exits', async () => {
    const error = await lastValueFrom(from([1, 2, 3, 4]).pipe(consume<number, number>(rx.exitsOn, { processes: 1, args: [3], onConsumerExit: 'error', context: 'thread' }))).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConsumerExitedError).with.property('exitCode', 5);
    expect(process.exitCode).to.equal(undefined);
    // This process goes on, and so does the next pipeline.
    expect(await lastValueFrom(producer<string>(rx.count, { args: ['t', 3], context: 'thread' }).pipe(toArray()))).to.deep.equal(['t:0', 't:1', 't:2']);
  });

  it('should carry Buffers as Buffers both ways, as a consumer process gets and returns them', async () => {
    const [result] = await lastValueFrom(from([Buffer.from('ab')]).pipe(consume<Buffer, { itemIsBuffer: boolean; echo: Buffer }>(rx.describeBuffer, { processes: 1, context: 'thread' }), toArray()));
    expect(result?.itemIsBuffer).to.equal(true);
    expect(Buffer.isBuffer(result?.echo)).to.equal(true);
    expect(result?.echo.toString()).to.equal('ab');
  });

  it("should run producers in threads and consumers in processes in one pipeline (or the reverse), the option beating the start method", async () => {
    const previous = setStartMethod('thread');
    try {
      expect(getStartMethod()).to.equal('thread');
      const results = await lastValueFrom(
        producer<string>(rx.count, { args: ['m', 20] }).pipe(consume<string, { item: string; pid: number }>(rx.withPid, { processes: 1, context: 'process' }), toArray()),
      );
      expect(results).to.have.length(20);
      expect(results[0]?.pid).to.not.equal(process.pid);
    } finally {
      setStartMethod(previous);
    }
  });

  it('should let a producer thread start a process of its own, which loads as its parent does (tsx here)', async () => {
    expect(await lastValueFrom(producer(rx.childExitCode, { args: [4], context: 'thread' }).pipe(toArray()))).to.deep.equal([4]);
  });

  it('should refuse an unknown context or start method', () => {
    expect(() => consume(rx.square, { context: 'fiber' as 'thread' })).to.throw(TypeError, /`context` to be 'process' or 'thread', got `'fiber'`/);
    expect(() => producer(rx.count, { args: ['c', 1], context: 'fiber' as 'thread' })).to.throw(TypeError, /`context`/);
    expect(() => setStartMethod('fork' as 'thread')).to.throw(TypeError, /'spawn', 'forkserver', 'thread' or 'inline'/);
  });

  it("should refuse a context next to a pool: the pool's own context runs the handler", async () => {
    const pool = new Pool({ processes: 1, context: 'thread' });
    try {
      expect(() => consume(rx.square, { pool, context: 'thread' })).to.throw(TypeError, /both `pool` and `context`[\s\S]*new Pool\(\{ context \}\)/);
    } finally {
      await pool[Symbol.asyncDispose]();
    }
  });

  describe('a program', () => {
    afterEach(killLeftovers);

    it('should exit by itself once its thread pipelines completed, from the compiled build and from source', async () => {
      for (const [label, run] of [
        ['compiled', () => runScript('test/fixtures/drivers/thread-pipeline.mjs', [], { node: true })],
        ['source', () => runScript('test/fixtures/drivers/thread-pipeline.mjs', ['source'])],
      ] as const) {
        const result = await run();
        expect(result.code, `${label}: ${result.stderr}`).to.equal(0);
        const report = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { count: number; total: number; echoed: number[]; measured: number[]; ms: number };
        expect(report).to.deep.include({ count: 1500, total: 7170, echoed: [1, 2, 3], measured: [1, 2] });
      }
    });

    it('should fail an unguarded consume() in threads with the main-guard error, no thread starting more', async function () {
      this.timeout(40_000);
      const run = await runLimited('test/fixtures/unguarded/consume-thread.ts', { maxTasks: 96, deadlineMs: 20_000 });
      const context = `as ${AS_NOBODY ? 'nobody' : 'this user'}, exit ${run.code ?? run.signal}\n--- stdout ---\n${run.stdout.slice(-2000)}\n--- stderr ---\n${run.stderr.slice(-3000)}`;
      expect(run.ended, context).to.equal(true);
      expect(run.code, context).to.equal(0);
      // The program and the threads that imported it each print a report line; no second generation.
      const reports = run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { values: unknown[]; error?: { name: string; message: string } });
      expect(reports.length, context).to.be.within(1, 3);
      for (const report of reports) {
        expect(report.values, context).to.deep.equal([]);
        expect(report.error?.name, context).to.equal('ProcessStateError');
        expect(report.error?.message, context).to.match(/An attempt has been made to start [\w:-]+ .*isMainModule\(import\.meta\.url\)/s);
      }
      expect(run.generations.size, `no process was started; ${context}`).to.equal(0);
    });
  });
});
