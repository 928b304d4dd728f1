import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Forks a child running the library's bootstrap. The child gets the parent's execArgv, so a parent
// running under a TypeScript loader (tsx) gets TypeScript children and a compiled parent plain ones;
// debugger flags are dropped so children do not fight over the inspector port.
export function launchChild(options: { captureStderr?: boolean } = {}): ChildProcess {
  return fork(BOOTSTRAP_PATH, [], {
    execArgv: process.execArgv.filter((arg) => !INSPECT_FLAG.test(arg)),
    // CPython children get /dev/null as stdin and share the parent's stdout and stderr. The reactive
    // layer pipes stderr instead (and forwards it), to quote its tail when a child fails.
    stdio: ['ignore', 'inherit', options.captureStderr ? 'pipe' : 'inherit', 'ipc'],
    serialization: 'advanced',
  });
}

const INSPECT_FLAG = /^--(inspect|debug)(-brk|-port|-wait)?(=|$)/;
// The bootstrap sits next to this module: `.ts` when the library runs from source, `.js` from dist/.
const BOOTSTRAP_PATH = fileURLToPath(new URL(`../child/bootstrap${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url));
