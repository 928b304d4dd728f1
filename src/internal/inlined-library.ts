import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TargetResolutionError } from '../errors/target-resolution-error.js';
import { BOOTSTRAP_URL } from './child-launcher.js';

/**
 * Throws when a bundler has inlined this library into an app's bundle (esbuild `--bundle`, webpack,
 * rollup): its code then runs from the bundle's file, the child bootstrap it forks is not beside it,
 * and the lexer and RxJS it loads lazily are not there to be found. Without this check the user would
 * see one of those symptoms (`Cannot find module 'es-module-lexer'`, a child dying at start) instead.
 * Checked once per process: the answer cannot change while it runs.
 */
export function throwOnInlinedLibrary(): void {
  inlined ??= !existsSync(fileURLToPath(BOOTSTRAP_URL));
  if (!inlined) return;
  const bundle = new URL(import.meta.url);
  throw new TargetResolutionError(
    `rx-multiprocessing was bundled into \`${fileURLToPath(bundle)}\`, so it cannot start child processes: ` +
      `a child starts from the library's own file (\`child/bootstrap.js\` of its package), which is not beside the bundle. ` +
      'Keep the library out of the bundle and install it next to it: esbuild `--packages=external` (or ' +
      '`--external:rx-multiprocessing --external:rxjs`), webpack `externals`, rollup `external`. A child also imports ' +
      'its target by URL, so target modules must stay files too (docs/bundling.md in the repository shows how).',
    { module: BOOTSTRAP_URL.href },
  );
}

let inlined: boolean | undefined;
