import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runScript } from '../helpers.js';

// The built package is one esbuild bundle (scripts/bundle.ts); the rest of the suite runs src/ under
// tsx, so these check what only the bundle can get wrong, with a plain node parent.
describe('the bundled build', () => {
  it('should share one copy of every class between the child bootstrap and the package', async () => {
    const result = await runScript('test/fixtures/drivers/bundled-classes.mjs', [], { node: true });
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      exitCode: 0,
      seen: { process: true, queue: true, joinable: true, emptyError: 'QueueEmptyError' },
      doubled: [2, 4, 6],
    });
  });

  it('should inline no dependency: rxjs, pino and es-module-lexer are the app\'s installed copies', () => {
    // esbuild heads each module it inlines with its path (`// node_modules/rxjs/dist/…`): an inlined
    // rxjs would be a second Observable class, and producer() no instance of the app's.
    const files = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    const inlined = files.filter((file) => /^\/\/ node_modules\//m.test(readFileSync(join(ROOT, 'dist', file), 'utf8')));
    expect(inlined).to.deep.equal([]);
  });

  it('should be three files a child loads (the public entry, the bootstrap, the chunk they share) and the command line apart', () => {
    const files = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    // Every child loads all three: another entry, or a dynamic import of a library module, splits the
    // shared code into more files and slows every child's start-up. The command is a bundle of its
    // own, which no child loads.
    const command = join('cli', 'main.js');
    expect(files, files.join(', ')).to.have.lengthOf(4).and.to.include.members(['index.js', join('child', 'bootstrap.js'), command]);
    const bootstrap = readFileSync(join(ROOT, 'dist', 'child', 'bootstrap.js'), 'utf8');
    expect([...bootstrap.matchAll(/from "(\.\.\/[^"]+)"/g)].map((m) => m[1])).to.have.lengthOf(1);
    expect(readFileSync(join(ROOT, 'dist', command), 'utf8')).to.match(/^#!\/usr\/bin\/env node\n/);
  });
});
