import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { Pool, Queue, setStartMethod, ProcessExitError, ProcessStateError, SerializationError, TargetResolutionError, TaskError } from '../../src/index.js';
import { add, keepQueue, putSquare, exitWorker, failOnThree, greet, initialize, returnFunction, sleepFor, square, whoAmI } from '../fixtures/pool-targets.js';
import { childPidsOf, isPidAlive, rejection, runScript, spawnScript, waitFor } from '../helpers.js';

const DRIVER = 'test/fixtures/drivers/pool-parent.ts';

// One contract, both contexts: every behaviour below holds for worker processes and worker threads.
for (const context of ['process', 'thread'] as const) {
  describe(`Pool (context: '${context}')`, function () {
    this.timeout(60_000);
    let pool: Pool;
    before(() => {
      pool = new Pool({ processes: 2, context });
    });
    after(async () => {
      pool.terminate();
      await pool.join();
    });

    it('map() resolves to the results in input order, whatever order they finish in', async () => {
      expect(await pool.map(sleepFor, [60, 5, 30, 1], { chunksize: 1 })).to.deep.equal([60, 5, 30, 1]);
      const items = Array.from({ length: 500 }, (_, i) => i);
      expect(await pool.map(square, items)).to.deep.equal(items.map((i) => i * i));
    });

    it('apply(), applyAsync(), run() and starmap() call the function with the arguments given', async () => {
      expect(await pool.apply(add, [2, 3])).to.equal(5);
      expect(await pool.applyAsync(square, [9])).to.equal(81);
      expect(await pool.run(add, [1, 1])).to.equal(2);
      expect(await pool.starmap(add, [[1, 2], [3, 4], [5, 6]], { chunksize: 2 })).to.deep.equal([3, 7, 11]);
    });

    it('imap() yields in input order and imapUnordered() in completion order; both work with RxJS from()', async () => {
      const ordered: number[] = [];
      for await (const value of pool.imap(sleepFor, [80, 1, 20])) ordered.push(value);
      expect(ordered).to.deep.equal([80, 1, 20]);
      expect(await lastValueFrom(from(pool.imapUnordered(sleepFor, [1500, 1])).pipe(toArray()))).to.deep.equal([1, 1500]);
    });

    it('imap() reads an endless iterable only a few chunks ahead of what is taken', async () => {
      let read = 0;
      function* naturals(): Generator<number> {
        for (let i = 0; ; i++) {
          read++;
          yield i;
        }
      }
      const taken: number[] = [];
      for await (const value of pool.imap(square, naturals())) {
        taken.push(value);
        if (taken.length === 10) break;
      }
      expect(taken).to.deep.equal([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      expect(read).to.be.below(40);
    });

    it('a task that throws rejects with TaskError carrying the remote name, message and stack; the pool goes on', async () => {
      const error = await rejection(pool.map(failOnThree, [1, 2, 3, 4], { chunksize: 1 }));
      expect(error).to.be.instanceOf(TaskError);
      const cause = (error as TaskError).cause as Error;
      expect(cause.name).to.equal('RangeError');
      expect(cause.message).to.equal('three is not allowed (got 3)');
      expect(cause.stack).to.include('failOnThree');
      expect((error as TaskError).seq).to.equal(2);
      expect(error.message).to.include('`failOnThree` failed on item #2 of map()');
      expect(await pool.apply(square, [4])).to.equal(16);
      const imapError = await rejection((async () => {
        for await (const value of pool.imap(failOnThree, [1, 2, 3, 4])) void value;
      })());
      expect(imapError).to.be.instanceOf(TaskError);
    });

    it('a function or argument a worker cannot receive fails the call before anything is sent', async () => {
      const closure = (x: number): number => x;
      expect(await rejection(pool.apply(closure, [1]))).to.be.instanceOf(TargetResolutionError);
      const error = await rejection(pool.apply(add, [1, (() => 2) as unknown as number]));
      expect(error).to.be.instanceOf(SerializationError);
      expect(error.message).to.include('args of apply()[1]');
      const unsendable = await rejection(pool.apply(returnFunction, []));
      expect(unsendable).to.be.instanceOf(TaskError);
      expect(((unsendable as TaskError).cause as Error).name).to.equal('SerializationError');
    });

    it('a worker that dies is replaced: its task rejects with ProcessExitError, the next task runs', async () => {
      const error = await rejection(pool.apply(exitWorker, [7]));
      expect(error).to.be.instanceOf(ProcessExitError);
      expect((error as ProcessExitError).exitCode).to.equal(7);
      expect(await pool.map(square, [1, 2, 3, 4], { chunksize: 1 })).to.deep.equal([1, 4, 9, 16]);
    });

    it('an aborted signal rejects with AbortError (cause: the reason) and frees the worker', async () => {
      const controller = new AbortController();
      const running = [pool.run(sleepFor, [60_000], { signal: controller.signal }), pool.run(sleepFor, [60_000], { signal: controller.signal })];
      const queued = pool.run(sleepFor, [60_000], { signal: controller.signal });
      const reason = new Error('the user gave up');
      setTimeout(() => controller.abort(reason), 100);
      for (const error of await Promise.all([...running, queued].map(rejection))) {
        expect(error.name).to.equal('AbortError');
        expect(error.cause).to.equal(reason);
      }
      const started = Date.now();
      expect(await pool.map(square, [5, 6], { chunksize: 1 })).to.deep.equal([25, 36]);
      expect(Date.now() - started).to.be.below(30_000);
      expect((await rejection(pool.run(square, [1], { signal: AbortSignal.abort() }))).name).to.equal('AbortError');
    });
  });

  describe(`Pool lifecycle (context: '${context}')`, function () {
    this.timeout(60_000);
    const workerId = context === 'process' ? (w: { pid: number }) => w.pid : (w: { threadId: number }) => w.threadId;

    it('maxtasksperchild gives each worker at most that many tasks, then a fresh one', async () => {
      await using pool = new Pool({ processes: 1, maxtasksperchild: 2, context });
      const seen = await pool.map(whoAmI, [0, 1, 2, 3, 4, 5], { chunksize: 1 });
      const ids = seen.map(workerId);
      expect(new Set(ids).size).to.equal(3);
      expect(ids[0]).to.equal(ids[1]);
      expect(ids[2]).to.not.equal(ids[1]);
    });

    it('a worker whose result could not be sent still exits on process.exit() (nothing left waiting to be written)', async () => {
      await using pool = new Pool({ processes: 1, context });
      expect(await rejection(pool.apply(returnFunction, []))).to.be.instanceOf(TaskError);
      expect(await rejection(pool.apply(exitWorker, [3]))).to.be.instanceOf(ProcessExitError).with.property('exitCode', 3);
      expect(await pool.apply(square, [3])).to.equal(9);
    });

    it('runs the initializer with its initargs once in each worker before its tasks', async () => {
      await using pool = new Pool({ processes: 1, initializer: initialize, initargs: ['hello'], context });
      expect(await pool.apply(greet, ['ada'])).to.equal('hello ada (1)');
      expect(await pool.apply(greet, ['bob'])).to.equal('hello bob (1)');
    });

    it('hands a Queue in initargs to every worker; a Queue as a task argument is refused, naming initargs', async () => {
      const queue = new Queue<number>();
      await using pool = new Pool({ processes: 2, initializer: keepQueue, initargs: [queue], context });
      await pool.map(putSquare, [1, 2, 3], { chunksize: 1 });
      const got = [await queue.get(), await queue.get(), await queue.get()];
      expect(got.sort((a, b) => a - b)).to.deep.equal([1, 4, 9]);
      const error = await rejection(pool.apply(keepQueue, [queue]));
      expect(error).to.be.instanceOf(SerializationError);
      expect(error.message).to.include('initargs');
    });

    it('an initializer that throws fails the pending tasks and the pool with TaskError instead of hanging', async () => {
      // In a script of its own: the workers print their crash report on its stderr, checked here.
      const result = await runScript('test/fixtures/drivers/pool-initializer-fails.ts', [context], { timeoutMs: 60_000 });
      expect(result.code, result.stderr).to.equal(0);
      const report = JSON.parse(result.stdout) as { isTaskError: boolean; message: string; cause: string; same: boolean };
      expect(report).to.include({ isTaskError: true, cause: 'the initializer cannot connect', same: true });
      expect(report.message).to.include('initializer `failingInitializer` failed');
      expect(result.stderr).to.match(/(^|\n)Process PoolWorker-\d+:\nError: the initializer cannot connect\n\s+at failingInitializer/);
    });

    it('close() lets pending tasks finish, refuses new ones with ProcessStateError, and join() waits for the workers', async () => {
      const pool = new Pool({ processes: 2, context });
      const workers = await pool.map(whoAmI, [0, 1], { chunksize: 1 });
      const pending = pool.map(sleepFor, [50, 50, 50]);
      expect(() => pool.join()).to.throw(ProcessStateError, /close\(\)/);
      pool.close();
      expect(await rejection(pool.apply(square, [1]))).to.be.instanceOf(ProcessStateError);
      expect(await pending).to.deep.equal([50, 50, 50]);
      await pool.join();
      if (context === 'process') for (const { pid } of workers) expect(isPidAlive(pid)).to.equal(false);
    });

    it('terminate() stops the workers at once and rejects what is pending with ProcessStateError', async () => {
      const pool = new Pool({ processes: 1, context });
      const { pid } = await pool.apply(whoAmI, []);
      const running = pool.apply(sleepFor, [60_000]);
      const queued = pool.apply(sleepFor, [1]);
      pool.terminate();
      expect(await rejection(running)).to.be.instanceOf(ProcessStateError);
      expect(await rejection(queued)).to.be.instanceOf(ProcessStateError);
      await pool.join();
      if (context === 'process') expect(isPidAlive(pid)).to.equal(false);
    });

    it('an idle pool does not keep its program alive: it exits without close()', async () => {
      const result = await runScript(DRIVER, ['idle', context]);
      expect(result.code).to.equal(0);
      expect(JSON.parse(result.stdout.trim())).to.deep.equal({ squares: [1, 4, 9] });
    });
  });
}

describe('Pool context', function () {
  this.timeout(60_000);

  it("follows setStartMethod('thread') when no context is given", async () => {
    const previous = setStartMethod('thread');
    try {
      await using pool = new Pool({ processes: 1 });
      const { pid, threadId } = await pool.apply(whoAmI, []);
      expect(pid).to.equal(process.pid);
      expect(threadId).to.not.equal(0);
    } finally {
      setStartMethod(previous);
    }
  });
});

describe('Pool worker processes', function () {
  this.timeout(60_000);

  it('are killed with their parent, even by SIGKILL: no orphan (real pids)', async () => {
    const parent = spawnScript(DRIVER, ['kill', 'process']);
    let out = '';
    parent.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await waitFor(() => out.includes('"pids"'), 30_000)).to.equal(true);
    const { pids } = JSON.parse(out.trim().split('\n').pop() as string) as { pids: number[] };
    expect(pids).to.have.length(2);
    for (const pid of pids) expect(isPidAlive(pid)).to.equal(true);
    parent.kill('SIGKILL');
    expect(await waitFor(() => pids.every((pid) => !isPidAlive(pid)), 5_000)).to.equal(true);
  });

  it('are this process’s children while the pool lives', async () => {
    await using pool = new Pool({ processes: 2 });
    const workers = await pool.map(whoAmI, [0, 1], { chunksize: 1 });
    for (const { pid } of workers) expect(childPidsOf()).to.include(pid);
  });
});
