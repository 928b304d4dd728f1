import { expect } from 'chai';
import { once } from 'node:events';
import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, assertNoChildrenLeft, isPidAlive, removeTempFiles, runScript, spawnScript, tempFile, waitFor } from '../helpers.js';

// These tests run a separate parent script, so they can watch its stdout/stderr, let it exit, or kill it.
describe('Process lifecycle across real parents', () => {
  afterEach(assertNoChildrenLeft);
  after(removeTempFiles);

  it('should leave no orphan when the parent is SIGKILLed: daemon, non-daemon and grandchild', async function () {
    // Four TypeScript processes start in a row; a loaded CI machine once took over 20 s for them.
    this.timeout(60_000);
    const { parent, report } = await startReportingParent('test/fixtures/drivers/orphan-parent.ts');
    const { parent: parentPid, pids } = report as { parent: number; pids: number[] };
    expect(parentPid).to.equal(parent.pid);
    expect(pids).to.have.length(3);
    expect(pids.every(isPidAlive)).to.equal(true);

    parent.kill('SIGKILL');
    await once(parent, 'exit');
    const killedAt = Date.now();
    const gone = await waitFor(() => !pids.some(isPidAlive), 10_000, 10);
    const elapsed = Date.now() - killedAt;
    for (const pid of pids.filter(isPidAlive)) process.kill(pid, 'SIGKILL');
    expect(gone, `pids still alive: ${pids.filter(isPidAlive).join(', ')}`).to.equal(true);
    // Typically 150–350 ms here (each child sees its IPC channel close, then ends its own children);
    // the bound is generous because a loaded 2-core CI machine once took 1001 ms.
    expect(elapsed, 'all descendants gone within 3 s').to.be.below(3_000);
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`should leave no orphan that handles SIGTERM itself when the parent is ${signal}ed: SIGKILL follows`, async function () {
      this.timeout(60_000);
      const { parent, report } = await startReportingParent('test/fixtures/drivers/stubborn-orphan-parent.ts');
      const { pids } = report as { pids: number[] };
      expect(pids).to.have.length(2);
      expect(pids.every(isPidAlive)).to.equal(true);

      parent.kill(signal);
      await once(parent, 'exit');
      const killedAt = Date.now();
      // The grace period is 1.5 s; a loaded machine gets generous slack on top.
      const gone = await waitFor(() => !pids.some(isPidAlive), 8_000, 20);
      const elapsed = Date.now() - killedAt;
      for (const pid of pids.filter(isPidAlive)) process.kill(pid, 'SIGKILL');
      expect(gone, `pids still alive ${elapsed} ms after the parent died: ${pids.filter(isPidAlive).join(', ')}`).to.equal(true);
    });
  }

  it('should not let a daemon keep its parent alive, and terminate it at exit', async () => {
    const started = Date.now();
    const result = await runScript('test/fixtures/drivers/daemon-exit.ts');
    expect(result.code).to.equal(0);
    expect(Date.now() - started).to.be.below(15_000);
    const { daemonPid } = JSON.parse(result.stdout) as { daemonPid: number };
    expect(await waitFor(() => !isPidAlive(daemonPid), 2_000)).to.equal(true);
    expect(result.stderr).to.match(/\[INFO\/MainProcess\] calling terminate\(\) for daemon Process-1/);
  });

  it('should stay alive in q.join() while only daemon consumers are working', async () => {
    const result = await runScript('test/fixtures/drivers/join-with-daemons.ts');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal('joined');
  });

  it('should run the target, not the parent\'s code again, in a child of `node -e` code', async () => {
    const url = (path: string): string => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
    // Were the -e code handed down, the child would run it instead of its bootstrap (and fork in
    // turn): it then exits at once here, and the get below times out.
    const code = `
      if (process.send) process.exit(3);
      const { Process, Queue } = await import(${url('src/index.ts')});
      const { putAll } = await import(${url('test/fixtures/queue-targets.ts')});
      const q = new Queue();
      const p = new Process({ target: putAll, args: [q, ['ran']] });
      p.start();
      console.log(await q.get({ timeout: 10000 }));
      await p.join();`;
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal('ran');
  });

  it('should exit after reactive pipelines completed or failed, although a daemon started afterwards still runs', async () => {
    const started = Date.now();
    // ~6 s alone; the bound is for a loaded suite (it took 15 s there), far below a hang.
    const result = await runScript('test/fixtures/drivers/daemon-after-pipeline.ts', [], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).to.equal(0);
    expect(Date.now() - started).to.be.below(40_000);
    const { squares, counted, failed, daemonPid } = JSON.parse(result.stdout) as { squares: number; counted: number; failed: string; daemonPid: number };
    expect([squares, counted, failed]).to.deep.equal([3, 5, 'TaskError']);
    expect(await waitFor(() => !isPidAlive(daemonPid), 2_000)).to.equal(true);
  });

  it('should stay alive in q.join() while its daemon consumer has not connected yet', async () => {
    const result = await runScript('test/fixtures/drivers/join-before-connect.ts');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal('joined');
  });

  it('should turn a missing main guard into one failed child, not a fork bomb', async () => {
    const result = await runScript('test/fixtures/drivers/unguarded-main.ts');
    expect(result.code).to.equal(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() as string)).to.deep.equal({ exitCode: 1 });
    expect(result.stdout).to.not.match(/work ran/);
    expect(result.stderr).to.match(/ProcessStateError: An attempt has been made to start Process-1/);
    expect(result.stderr).to.match(/isMainModule\(import\.meta\.url\)/);
  });

  it("should print 'Process <name>:' and the stack when a target throws or rejects", async () => {
    const result = await runScript('test/fixtures/drivers/failing-child.ts');
    expect(JSON.parse(result.stdout)).to.deep.equal([1, 1]);
    expect(result.stderr).to.match(/Process Process-1:\nError: sync boom\n\s+at throwError/);
    expect(result.stderr).to.match(/Process rejecter:\nTypeError: async boom\n\s+at rejectLater/);
  });

  it('should give a compiled JavaScript parent plain node children', async () => {
    const file = tempFile();
    const result = await runScript('test/fixtures/drivers/compiled-parent.mjs', [file], { node: true });
    expect(result.code, result.stderr).to.equal(0);
    const report = JSON.parse(result.stdout) as { exitCode: number; parentExecArgv: string[]; child: { execArgv: string[]; argv1: string } };
    expect(report.exitCode).to.equal(0);
    expect(report.parentExecArgv).to.deep.equal([]);
    expect(report.child.execArgv).to.deep.equal([]);
    expect(report.child.argv1).to.match(/dist\/child\/bootstrap\.js$/);
  });

  describe('logging', () => {
    it("should log Python's lines from parent and child, the child inheriting the level", async () => {
      const result = await runScript('test/fixtures/drivers/logging.ts', ['info', 'text']);
      expect(result.code).to.equal(0);
      const lines = result.stderr.split('\n');
      expect(lines).to.include('[INFO/MainProcess] parent says hi');
      expect(lines).to.include('[INFO/Logger-1] child process calling self.run()');
      expect(lines).to.include('[INFO/Logger-1] an info line');
      expect(lines).to.include('[WARNING/Logger-1] a warning line');
      expect(lines).to.include('[INFO/Logger-1] process exiting with exitcode 0');
      expect(lines).to.include('[INFO/MainProcess] process shutting down');
      expect(result.stderr).to.not.match(/a debug line/);
    });

    it('should let debug lines through at debug level', async () => {
      const result = await runScript('test/fixtures/drivers/logging.ts', ['debug', 'text']);
      expect(result.stderr.split('\n')).to.include('[DEBUG/Logger-1] a debug line');
      expect(result.stderr).to.match(/\[DEBUG\/MainProcess\] started Logger-1 \(pid \d+\)/);
    });

    it('should write JSON records with processName and pid in json format', async () => {
      const result = await runScript('test/fixtures/drivers/logging.ts', ['warning', 'json']);
      const records = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; processName: string; pid: number; name: string });
      expect(records).to.have.length(1);
      expect(records[0]).to.include({ level: 30, msg: 'a warning line', processName: 'Logger-1', name: 'multiprocessing' });
      expect(records[0]?.pid).to.be.a('number').and.not.equal(process.pid);
    });
  });
});

/** Starts a driver that prints one JSON line of the pids it started, and returns that line parsed. */
async function startReportingParent(script: string): Promise<{ parent: ChildProcess; report: unknown }> {
  const parent = spawnScript(script, [tempFile()]);
  let stdout = '';
  let stderr = '';
  parent.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  parent.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await waitFor(() => stdout.includes('\n'), 50_000);
  if (!ready) parent.kill('SIGKILL');
  expect(ready, `the parent printed its pids; its stderr: ${stderr}`).to.equal(true);
  return { parent, report: JSON.parse(stdout) as unknown };
}
