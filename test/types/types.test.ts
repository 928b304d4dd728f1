import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

// The *.test-d.ts files beside this one are type tests: they compile only if the public types infer
// what they assert (expect-type) and reject every line marked @ts-expect-error (tsc reports a marker
// with no error under it as an error of its own).
describe('public types', () => {
  it('should infer item, result and argument types from the functions, and reject every marked misuse', async function () {
    this.timeout(120_000);
    const dir = join(ROOT, 'test', 'types');
    const files = readdirSync(dir).filter((name) => name.endsWith('.test-d.ts'));
    const markers = files.reduce((sum, name) => sum + (readFileSync(join(dir, name), 'utf8').match(/@ts-expect-error/g)?.length ?? 0), 0);
    expect(files.length).to.be.at.least(3);
    expect(markers).to.be.at.least(25);
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: ROOT }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      ),
    );
    expect(result.output).to.equal('');
    expect(result.code).to.equal(0);
  });
});
