import { expect } from 'chai';
import { Queue, QueueClosedError } from '../../src/index.js';
import { assertNoChildrenLeft, runScript } from '../helpers.js';

interface Measured {
  readonly perQueueBytes: number;
  readonly owners: number;
  readonly itemsLeft: number;
}

// The driver runs as a process of its own, with --expose-gc, so it can collect and measure its heap.
async function runDriver(mode: string): Promise<unknown> {
  const result = await runScript('test/fixtures/drivers/queue-release.ts', [mode], { nodeFlags: ['--expose-gc'], timeoutMs: 110_000 });
  expect(result.code, `driver exit code; its stderr: ${result.stderr}`).to.equal(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
}

describe('Queue release: a queue nobody uses any more is freed, its items with it', () => {
  afterEach(assertNoChildrenLeft);

  it('should drop the items of a closed queue that was never passed to a child', async () => {
    const q = new Queue<string>();
    await q.put('a');
    await q.put('b');
    q.close();
    expect(q.qsize()).to.equal(0);
    expect(() => q.get()).to.throw(QueueClosedError, /closed in this process/);
  });

  // Before: each queue kept its 100 KiB of items for ever (106 KB of heap per queue), and the server
  // kept serving all 200. The bound leaves room for a loaded machine's noise, far below one item set.
  it('should free queues passed to a short-lived child and then dropped, items included (200 queues × 100 × 1 KiB)', async function () {
    this.timeout(120_000);
    const measured = (await runDriver('unreachable')) as Measured;
    expect(measured.owners, 'queues still served').to.equal(0);
    expect(measured.perQueueBytes, 'heap growth per queue (bytes)').to.be.below(MAX_BYTES_PER_QUEUE);
  });

  it('should drop the items of queues closed here once their child has exited, keeping only the handles', async function () {
    this.timeout(120_000);
    const measured = (await runDriver('closed')) as Measured;
    expect(measured.owners, 'queues still served').to.equal(0);
    expect(measured.itemsLeft, 'items left in the closed handles').to.equal(0);
    expect(measured.perQueueBytes, 'heap growth per queue (bytes)').to.be.below(MAX_BYTES_PER_QUEUE);
  });

  for (const mode of ['late', 'late-closed']) {
    it(`should keep serving a queue ${mode === 'late' ? 'dropped' : 'closed'} here to a child that connects to it only afterwards`, async function () {
      this.timeout(60_000);
      const result = await runDriver(mode);
      expect(result).to.deep.equal({ taken: 100, ownersWhileChildLives: 1, owners: 0, exitCode: 0 });
    });
  }
});

const MAX_BYTES_PER_QUEUE = 8 * 1024;
