import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPublicDocs, checkSnippets, collectSnippets, OUT_DIR, ROOT } from '../../scripts/check-doc-examples.js';

// The README and the API reference are what a new user copies from: every example in them must
// compile against the current API, and the README's quick start must run.
describe('the documentation', function () {
  this.timeout(120_000);

  it('should type-check every ts block of README.md and docs/ and every @example in src/', () => {
    const snippets = collectSnippets();
    expect(snippets.filter((s) => s.file === 'README.md' && !s.noCheck).length, 'README examples found').to.be.at.least(3);
    expect(snippets.filter((s) => s.file.startsWith('src/')).length, '@example blocks found').to.be.greaterThan(40);
    const problems = checkSnippets(snippets);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('should give every public symbol and member a doc comment, and each an @example where it is called', () => {
    const problems = checkPublicDocs();
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('should build the API reference with typedoc without a single warning', async () => {
    const result = await run(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none']);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.not.match(/\[warning\]|\[error\]/);
  });

  it('should run the README quick start to completion', async () => {
    const runnable = collectSnippets().filter((s) => s.run);
    expect(runnable, 'README blocks marked ts run').to.have.length.greaterThan(0);
    mkdirSync(OUT_DIR, { recursive: true });
    for (const snippet of runnable) {
      // Inside the repo, 'rx-multiprocessing' resolves to the package itself (dist/, built by pretest).
      const file = join(OUT_DIR, `run-${snippet.line}.mts`);
      writeFileSync(file, snippet.code);
      const result = await run(process.execPath, ['--import', 'tsx', file]);
      expect(result.code, `${snippet.origin}\n${result.output}`).to.equal(0);
      expect(result.output, snippet.origin).to.not.match(/Error/);
    }
  });
});

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}
