import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as Bootstrap from '../child/bootstrap.js';
import { BOOTSTRAP_URL, processExecArgv, withMainScript } from './child-launcher.js';

/**
 * Starts a worker thread at an export of the child bootstrap, called with `data`. A thread does not
 * inherit the TypeScript loader a process gets from its execArgv (tsx registers its hooks in the
 * main thread only), so a thread of a program run under tsx registers tsx first: to import the
 * library from source, and the user's .ts modules either way.
 */
export function launchThread(start: keyof typeof Bootstrap, data: unknown, name: string, options: { readonly stderr?: boolean } = {}): Worker {
  return new Worker(THREAD_ENTRY, {
    eval: true,
    name,
    // Piped to this thread (and forwarded by the caller) instead of straight to process.stderr.
    stderr: options.stderr === true,
    workerData: { entry: BOOTSTRAP_URL.href, start, loader: typeScriptLoader(), data, processExecArgv: processExecArgv() },
    // Flags such as --max-old-space-size are the process's, and some make a Worker throw.
    execArgv: [],
    env: withMainScript(process.env),
  });
}

// CommonJS, as an eval'd worker is: it loads the loader, then the bootstrap, and calls the export.
const THREAD_ENTRY = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.loader) {
    const api = await import(workerData.loader);
    (api.register ?? api.default.register)();
  }
  const entry = await import(workerData.entry);
  await entry[workerData.start](workerData.data);
})().catch((error) => setImmediate(() => { throw error; }));
`;

/** The URL of tsx's register API when this program runs under tsx (or the library from source). */
function typeScriptLoader(): string | undefined {
  if (cachedLoader !== undefined) return cachedLoader || undefined;
  const flags = processExecArgv();
  const fromSource = BOOTSTRAP_URL.pathname.endsWith('.ts');
  const tsxFlag = flags.find((flag) => /tsx/.test(flag));
  cachedLoader = '';
  if (!fromSource && !tsxFlag) return undefined;
  // Resolved from where the parent's loader came from (a bare `tsx` from the working directory), then from the library.
  const bases = [tsxFlag && /^(file:|\/)/.test(tsxFlag.replace(/^--[a-z-]+=/, '')) ? toPath(tsxFlag.replace(/^--[a-z-]+=/, '')) : join(process.cwd(), 'noop.js'), fileURLToPath(import.meta.url)];
  for (const base of bases) {
    try {
      // require() resolves the CommonJS build; its ES module build, which registers the ESM hooks, is beside it.
      cachedLoader = pathToFileURL(createRequire(base).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
      break;
    } catch {
      // next base
    }
  }
  if (!cachedLoader && fromSource) {
    throw new Error('Worker threads of rx-multiprocessing run from its TypeScript source need tsx (npm install --save-dev tsx), or use the built dist/.');
  }
  return cachedLoader || undefined;
}

function toPath(spec: string): string {
  return spec.startsWith('file:') ? fileURLToPath(spec) : spec;
}

let cachedLoader: string | undefined;
