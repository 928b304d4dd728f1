import { expect } from 'chai';
import { once } from 'node:events';
import { from, lastValueFrom, toArray } from 'rxjs';
import { ConsumerExitedError, Process, type ProcessOptions, consume, cpuCount, producer, queue, setStartMethod } from '../../src/index.js';
import { sparePids } from '../../src/internal/spare-processes.js';
import { CAPTURE_STDERR } from '../../src/internal/symbols.js';
import { assertChildrenExitSoon, isPidAlive, readRecord, rejection, removeTempFiles, runScript, spawnScript, tempFile, waitFor } from '../helpers.js';
import * as targets from '../fixtures/targets.js';
import { captureStderr, stderrOf, withPipedStderr } from '../stderr-capture.js';
import * as rx from '../fixtures/rx-targets.js';
import { recordFreshness } from '../fixtures/spare-targets.js';

async function run(target: (...args: never[]) => unknown, args: unknown[] = []): Promise<Process> {
  const p = new Process({ target, args });
  p.start();
  await p.join();
  return p;
}

/** The spares waiting now, after one start if none does (spares follow demand). */
async function waitingSpares(): Promise<number[]> {
  if (sparePids().length === 0) await run(targets.noop);
  return sparePids();
}

describe("spare processes (the 'forkserver' start method)", () => {
  before(() => setStartMethod('forkserver'));
  after(() => {
    setStartMethod('spawn');
    removeTempFiles();
  });
  afterEach(() => assertChildrenExitSoon());

  it('should start a process on a spare forked before start(), and fork a replacement', async () => {
    await run(targets.noop);
    const [spare] = sparePids();
    expect(spare, 'a spare waits after a start').to.be.a('number');
    const p = await run(targets.noop);
    expect(p.pid).to.equal(spare);
    expect(p.exitCode).to.equal(0);
    expect(sparePids()).to.have.length.above(0).and.not.include(spare);
  });

  it('should give the target fresh module state: its module is imported after start(), once per child', async () => {
    for (let i = 0; i < 2; i++) {
      const file = tempFile();
      const [spare] = await waitingSpares();
      const startedAt = process.hrtime.bigint();
      const p = await run(recordFreshness, [file]);
      const record = readRecord<{ loadedAt: bigint; calls: number; pid: number }>(file);
      expect(record.pid).to.equal(spare);
      expect(record.loadedAt > startedAt, 'the target module loaded after start()').to.equal(true);
      expect(record.calls).to.equal(1);
      expect(p.exitCode).to.equal(0);
    }
  });

  it('should not use a spare forked with another environment: a change before start() is honoured', async () => {
    const stale = await waitingSpares();
    expect(stale).to.have.length.above(0);
    process.env['RXMP_SPARE_TEST'] = 'changed';
    try {
      const file = tempFile();
      const p = await run(targets.recordEnv, [file, 'RXMP_SPARE_TEST']);
      expect(readRecord<unknown[]>(file)).to.deep.equal(['changed']);
      expect(stale).to.not.include(p.pid);
      expect(await waitFor(() => !stale.some(isPidAlive), 5_000), 'the stale spares are retired').to.equal(true);
    } finally {
      delete process.env['RXMP_SPARE_TEST'];
    }
  });

  it('should not hand a spare with inherited stderr to a start that pipes it, nor retire it for that', async () => {
    await run(targets.noop);
    const inheriting = sparePids();
    expect(inheriting).to.have.length.above(0);
    const piped = new Process({ target: targets.noop, [CAPTURE_STDERR]: true } as ProcessOptions<[]>);
    piped.start();
    expect(inheriting).to.not.include(piped.pid);
    // Checked before the refill (next task): only a refill at the bound makes room among them.
    expect(sparePids()).to.include.members(inheriting);
    await piped.join();
    expect(piped.exitCode).to.equal(0);
  });

  it('should keep at most cpuCount() spares after a burst of starts', async () => {
    const burst = Array.from({ length: cpuCount() + 2 }, () => new Process({ target: targets.noop }));
    for (const p of burst) p.start();
    // Checked once the refill ran (after the burst's tick): spares idle for 5 s retire, and a loaded
    // machine may take that long to run the burst.
    await waitFor(() => sparePids().length > 0, 10_000);
    expect(sparePids().length).to.be.within(1, cpuCount());
    await Promise.all(burst.map((p) => p.join()));
    expect(burst.map((p) => p.exitCode)).to.deep.equal(burst.map(() => 0));
  });

  it("should retire every spare when the start method leaves 'forkserver'", async () => {
    const spares = await waitingSpares();
    expect(spares).to.have.length.above(0);
    setStartMethod('spawn');
    try {
      expect(sparePids()).to.deep.equal([]);
      expect(await waitFor(() => !spares.some(isPidAlive), 5_000)).to.equal(true);
    } finally {
      setStartMethod('forkserver');
    }
  });

  it('should leave no orphan spare when the parent is SIGKILLed', async function () {
    this.timeout(60_000);
    const parent = spawnScript('test/fixtures/drivers/spare-parent.ts', ['wait']);
    let stdout = '';
    parent.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const reported = await waitFor(() => stdout.includes('\n'), 50_000);
    if (!reported) parent.kill('SIGKILL');
    expect(reported, 'the parent printed its spares').to.equal(true);
    const { spares } = JSON.parse(stdout) as { spares: number[] };
    expect(spares).to.have.length.above(0);
    expect(spares.every(isPidAlive)).to.equal(true);

    parent.kill('SIGKILL');
    await once(parent, 'exit');
    const gone = await waitFor(() => !spares.some(isPidAlive), 5_000, 10);
    for (const pid of spares.filter(isPidAlive)) process.kill(pid, 'SIGKILL');
    expect(gone, `spares still alive: ${spares.filter(isPidAlive).join(', ')}`).to.equal(true);
  });

  it('should not keep its parent alive: a program whose work is done exits at once, its spares with it', async function () {
    this.timeout(60_000);
    const result = await runScript('test/fixtures/drivers/spare-parent.ts', ['exit']);
    const exitedAt = Date.now();
    expect(result.code, result.stderr).to.equal(0);
    const { spares, at } = JSON.parse(result.stdout) as { spares: number[]; at: number };
    expect(spares).to.have.length.above(0);
    // Spares retire after 5 s idle: a spare holding the program would show as at least that.
    expect(exitedAt - at).to.be.below(2_500);
    expect(await waitFor(() => !spares.some(isPidAlive), 5_000)).to.equal(true);
  });

  // The contract holds on this path too: a representative subset of test/process and test/operators.
  describe('the Process and pipeline contract, on spares', () => {
    captureStderr();
    it("should report the target's exit code, a thrown error and a kill", async () => {
      expect((await run(targets.exitWith, [3])).exitCode).to.equal(3);
      const thrown = new Process(withPipedStderr({ target: targets.throwError, args: ['boom'] }));
      thrown.start();
      await thrown.join();
      expect(thrown.exitCode).to.equal(1);
      expect(await stderrOf(thrown)).to.match(/Error: boom\n\s+at throwError/);
      const p = new Process({ target: targets.sleepForever });
      p.start();
      p.kill();
      await p.join();
      expect(p.exitCode).to.equal(-9);
    });

    it('should hand the arguments and identity over as on a cold child', async () => {
      const file = tempFile();
      await run(targets.recordArgs, [file, { a: [1, 2n] }, new Map([[1, 'x']])]);
      expect(readRecord<unknown[]>(file)).to.deep.equal([{ a: [1, 2n] }, new Map([[1, 'x']])]);
      const identity = tempFile();
      const p = new Process({ target: targets.recordIdentity, args: [identity], name: 'on-a-spare' });
      p.start();
      await p.join();
      const record = readRecord<{ current: { name: string }; parent: { pid: number }; pid: number }>(identity);
      expect(record.current.name).to.equal('on-a-spare');
      expect(record.parent.pid).to.equal(process.pid);
      expect(record.pid).to.equal(p.pid);
    });

    it('should run producers → queue → consumers, with consumers (stderr piped) on their own spares', async () => {
      const results = await lastValueFrom(
        producer<string>(rx.count, { args: ['p', 50] }).pipe(queue({ maxsize: 10 }), consume(rx.identity, { processes: 2 }), toArray()),
      );
      expect(results.sort()).to.deep.equal(Array.from({ length: 50 }, (_, i) => `p:${i}`).sort());
    });

    it('should run one-item consume() calls in a row and fail a pipeline whose handler exits', async () => {
      for (let i = 0; i < 2; i++) {
        expect(await lastValueFrom(from([i]).pipe(consume(rx.square, { processes: 1 })))).to.equal(i * i);
      }
      const error = await rejection(lastValueFrom(from([1, 2, 3]).pipe(consume(rx.exitsOn, { processes: 1, args: [2], onConsumerExit: 'error' }))));
      expect(error).to.be.instanceOf(ConsumerExitedError).with.property('exitCode', 5);
    });
  });
});
