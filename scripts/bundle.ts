// Writes the library's JavaScript into dist/ (tsc type-checks and writes only the .d.ts files): the
// public entry and the child bootstrap as one esbuild build split into a shared chunk. A child then
// loads three files instead of ~50 small modules, and every module still exists once per process, so
// the bootstrap and a user's `import … from 'rx-multiprocessing'` see the same classes (instanceof
// holds). The library's lazy imports (pino, es-module-lexer, inspector, RxJS) stay lazy: dependencies
// are not bundled.
//
//   tsx scripts/bundle.ts      (npm run build runs it after tsc)
import { build, type Metafile } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

// Earlier builds' JavaScript (tsc's per-module files, chunks with other hashes) would stay importable
// next to the bundle, as a second copy of every class.
function removeJavaScript(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (/\.js(\.map)?$/.test(entry)) rmSync(join(dir, entry));
  }
}

// child-launcher.ts finds the bootstrap at `../child/bootstrap.js` from its own URL: check that the
// bundler put its code one folder deep, where that path still holds.
function assertBootstrapReachable(metafile: Metafile, bootstrapIn: Metafile = metafile): void {
  const launcher = Object.entries(metafile.outputs).find(([, output]) => LAUNCHER in output.inputs)?.[0];
  if (!launcher) throw new Error(`${LAUNCHER} is in no output of the bundle`);
  const expected = posix.join(posix.dirname(launcher), '../child/bootstrap.js');
  if (!(expected in bootstrapIn.outputs)) throw new Error(`${launcher} (from ${LAUNCHER}) would look for ${expected}, which the bundle does not have`);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAUNCHER = 'src/internal/child-launcher.ts';
// Every module a process imports by URL. Each further entry (or dynamic import of a module of the
// library) would split the shared code into more chunks, and a child loads each chunk as a file.
const ENTRY_POINTS = ['index', 'child/bootstrap'];

removeJavaScript(join(ROOT, 'dist'));
// What both builds below share.
const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // rxjs, pino and es-module-lexer stay the user's installed copies: one Observable class, lazy loads.
  packages: 'external',
  // Class names are behaviour here (an error's `name`, `Process-1`): never let a rename change them.
  keepNames: true,
  // Read by `node --enable-source-maps`; without it Node ignores them at no cost.
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
} as const;

const result = await build({
  ...COMMON,
  entryPoints: ENTRY_POINTS.map((entry) => `src/${entry}.ts`),
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
});
assertBootstrapReachable(result.metafile);

// The command line (`npx rx-multiprocessing`) is a build of its own, one file with its own copy of
// the library's code: as a third entry above it would split the shared chunk, and every child would
// load one file more. Its children start the bootstrap above, from the same folder depth.
const cli = await build({ ...COMMON, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli/main.js' });
assertBootstrapReachable(cli.metafile, result.metafile);
