// Prepares the tree `npm test` runs: a copy of the checkout in .test-build/ whose TypeScript under src/
// and test/ is compiled to JavaScript beside it (esbuild, types stripped, inline source maps).
//
// Why: the suite forks well over a thousand children, and a child of a test run from source loads the
// library through a TypeScript loader: ~480 ms of CPU under tsx (its own load, then ~500 modules through
// its hooks), against ~90 ms for the same modules compiled. That was most of the suite's time on two
// cores. The copy keeps the checkout's layout (README, docs, package.json, fixtures, the .ts sources), so
// the tests' paths hold and tests that run tsx or tsc on purpose still find their .ts files; Node and tsx
// resolve `./x.js` imports to the compiled x.js, tsc to x.ts.
// The type check of src and test stays `npm run typecheck` / `npm run build` (tsc), which esbuild is not.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, '.test-build');
// Compiled: what the test processes and their children import (and the scripts tests import). Not the package test's app (the test
// copies it to compile and run it as a user would) nor the type tests (tsc reads them).
const COMPILED = /^(src|test|scripts)\/.*(?<!\.d)(?<!\.test-d)\.ts$/;
const NOT_COMPILED = /^test\/package\/fixtures\//;

rmSync(OUT, { recursive: true, force: true });
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((file) => file !== '' && !file.startsWith('.test-build/'));
for (const file of files) {
  mkdirSync(dirname(join(OUT, file)), { recursive: true });
  try {
    copyFileSync(join(ROOT, file), join(OUT, file));
  } catch (error) {
    // A file deleted in the working tree but still in git's index is not part of the tree under test.
    if (error.code !== 'ENOENT') throw error;
  }
}
// The build `npm test`'s pretest just made, for the tests of the compiled package and its bundle.
execFileSync('cp', ['-R', join(ROOT, 'dist'), join(OUT, 'dist')]);
symlinkSync(join(ROOT, 'node_modules'), join(OUT, 'node_modules'), 'dir');

const entryPoints = files.filter((file) => COMPILED.test(file) && !NOT_COMPILED.test(file)).map((file) => join(OUT, file));
buildSync({
  entryPoints,
  outdir: OUT,
  outbase: OUT,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
