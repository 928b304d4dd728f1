import { expect } from 'chai';
import { childEnv } from '../../src/internal/child-launcher.js';
import { Process } from '../../src/index.js';
import { readRecord, removeTempFiles, tempFile } from '../helpers.js';
import * as targets from '../fixtures/targets.js';

const MALLOC = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'];

describe('childEnv', () => {
  it("should add glibc's malloc settings to a copy of the parent's environment", () => {
    const parent = { PATH: '/bin', OTHER: 'x' };
    const env = childEnv(parent);
    expect(env).to.deep.equal({ PATH: '/bin', OTHER: 'x', MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024) });
    expect(parent).to.deep.equal({ PATH: '/bin', OTHER: 'x' });
  });

  for (const name of ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'MALLOC_MMAP_MAX_']) {
    it(`should leave the environment as the user set it when ${name} is set`, () => {
      const parent = { PATH: '/bin', [name]: '12345' };
      expect(childEnv(parent)).to.equal(parent);
    });
  }
});

describe('a child process environment', () => {
  after(removeTempFiles);

  async function envInChild(...names: string[]): Promise<(string | null)[]> {
    const file = tempFile();
    const p = new Process({ target: targets.recordEnv, args: [file, ...names] });
    p.start();
    await p.join();
    expect(p.exitCode).to.equal(0);
    return readRecord(file);
  }

  it("should be the parent's, with the malloc settings added", async () => {
    process.env['RXMP_TEST_VARIABLE'] = 'inherited';
    try {
      expect(await envInChild('RXMP_TEST_VARIABLE', ...MALLOC)).to.deep.equal(['inherited', String(4 * 1024 * 1024), String(32 * 1024 * 1024)]);
    } finally {
      delete process.env['RXMP_TEST_VARIABLE'];
    }
  });

  it("should keep the user's own malloc setting and add none", async () => {
    process.env['MALLOC_TRIM_THRESHOLD_'] = '999999';
    try {
      expect(await envInChild(...MALLOC)).to.deep.equal([null, '999999']);
    } finally {
      delete process.env['MALLOC_TRIM_THRESHOLD_'];
    }
  });
});
