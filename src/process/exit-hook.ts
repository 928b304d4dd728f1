import { getRuntime } from '../internal/runtime.js';
import { logEvent } from './logger.js';

// CPython's atexit `_exit_function`: at exit, terminate every live daemon child. An 'exit' listener
// cannot wait, but process.kill is synchronous, so the signals are sent before this process is gone.
// Non-daemon children keep this process alive until they end (their handles stay ref'd); any still
// alive after a forced exit see their IPC channel close and end themselves.
export function installExitHook(): void {
  const runtime = getRuntime();
  if (runtime.exitHookInstalled) return;
  runtime.exitHookInstalled = true;
  process.on('exit', () => {
    logEvent('info', 'process shutting down');
    for (const child of runtime.children) {
      if (!child.isAlive()) continue;
      if (child.daemon) {
        logEvent('info', 'calling terminate() for daemon %s', child.name);
        child.terminate();
      }
    }
  });
}
