import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import type * as Bootstrap from '../child/bootstrap.js';
import { MAIN_SCRIPT_VARIABLE, mainScriptUrl } from './main-script.js';
import { launchWithSpare } from './spare-processes.js';
import { getStartMethod } from '../operators/start-method.js';

// Forks a child running the library's bootstrap. The child gets the parent's execArgv, so a parent
// running under a TypeScript loader (tsx) gets TypeScript children and a compiled parent plain ones.
// Under the 'forkserver' start method it hands out a spare forked earlier with the same settings.
export function launchChild(options: { captureStderr?: boolean } = {}): ChildProcess {
  const execArgv = childExecArgv(processExecArgv());
  const env = withMainScript(childEnv(process.env));
  const captureStderr = options.captureStderr === true;
  const launch = (): ChildProcess =>
    fork(BOOTSTRAP_PATH, [], {
      execArgv,
      // CPython children get /dev/null as stdin and share the parent's stdout and stderr. The reactive
      // layer pipes stderr instead (and forwards it), to quote its tail when a child fails.
      stdio: ['ignore', 'inherit', captureStderr ? 'pipe' : 'inherit', 'ipc'],
      serialization: 'advanced',
      env,
    });
  if (getStartMethod() !== 'forkserver') return launch();
  // Everything a child is forked with: a spare forked with other settings is not this start's child.
  const key = JSON.stringify([process.execPath, execArgv, process.cwd(), env]);
  return launchWithSpare(key, captureStderr ? 'pipe' : 'inherit', launch);
}

// A child cannot tell the program's main script from its own argv; it needs it to mark that script
// when it imports it for a target (see importingTarget).
export function withMainScript(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const main = mainScriptUrl();
  return main === undefined || env[MAIN_SCRIPT_VARIABLE] === main ? env : { ...env, [MAIN_SCRIPT_VARIABLE]: main };
}

/**
 * The parent's environment, plus glibc malloc settings that keep the memory of freed batches for the
 * next ones. Every batch a child sends or receives passes through a buffer of up to ~1 MB (512 items
 * of 1 KiB) that is freed once written or decoded; by default glibc maps each such buffer anew, or
 * trims the heap under it, and the next one page-faults its memory in again. Below 4 MiB, buffers now
 * come from the heap, and up to 32 MiB of free heap stays in the process: a consumer's page faults
 * fell by a quarter (1 KiB pipeline, 50k items a round) and the pipelines ran 3-8 % faster. A user
 * who sets any of these variables keeps theirs.
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (MALLOC_TUNING.some((name) => env[name] !== undefined)) return env;
  return { ...env, MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(32 * 1024 * 1024) };
}

const MALLOC_TUNING = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'MALLOC_MMAP_MAX_'];

/**
 * The flags this program's node was started with. A worker thread's own `process.execArgv` is what
 * its Worker was given (none, see launchThread): the thread carries the process's in its workerData,
 * so that a process a thread starts loads as the main thread's children do (under tsx, with tsx).
 */
export function processExecArgv(): readonly string[] {
  const inherited = isMainThread ? undefined : (workerData as { processExecArgv?: unknown } | null)?.processExecArgv;
  return Array.isArray(inherited) ? (inherited as string[]) : process.execArgv;
}

/**
 * The parent's flags minus those that would make the child something else than our bootstrap:
 * debugger flags (children would fight over the inspector port) and what replaces or wraps the
 * entry script — `-e`/`-p` code (the child would run the parent's script again instead of the
 * bootstrap, and fork in turn), `--input-type`, `-i`, `-c`, `--watch`, `--test`.
 */
export function childExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    if (TAKES_VALUE.has(arg)) i++;
    else if (!DROPPED.test(arg)) kept.push(arg);
  }
  return kept;
}

const TAKES_VALUE = new Set(['-e', '--eval', '-p', '--print', '-pe', '--input-type', '--watch-path']);
const DROPPED = /^(--(inspect|debug)(-brk|-port|-wait)?(=.*)?|--(eval|print|input-type|watch-path)=.*|-i|--interactive|-c|--check|--watch|--watch-preserve-output|--test(-.*)?)$/;

/**
 * The module every child runs; it also exports the runners the reactive layer starts children with.
 * It is in child/, next to this module's folder: `.ts` when the library runs from source, `.js` from
 * dist/, whose bundle puts this code in dist/chunks/ so the same relative path holds (scripts/bundle.ts
 * checks it).
 */
export const BOOTSTRAP_URL = new URL(`../child/bootstrap${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

const BOOTSTRAP_PATH = fileURLToPath(BOOTSTRAP_URL);

/**
 * A runner the bootstrap exports (the reactive layer's producer and consumer loops), as a Process
 * target. By reference, not by function: the child has that module loaded already, and the export
 * name holds wherever the bundler put the function itself.
 */
export function bootstrapExport(name: keyof typeof Bootstrap): { readonly module: URL; readonly export: string } {
  return { module: BOOTSTRAP_URL, export: name };
}
