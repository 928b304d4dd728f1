import { ProcessStateError } from '../errors/process-state-error.js';
import { getRuntime } from '../internal/runtime.js';
import { targetModuleImporting } from '../internal/target-import.js';

/**
 * Throws when `processName` is being started by code a child runs only because it imported its
 * target's module: a script without the main guard, which every child would run again. The child
 * then fails at once, its parent told why: thrown alone, the error could end in an RxJS subscription
 * that swallows it, and the child would go on as if nothing happened.
 */
export function throwOnMissingMainGuard(processName: string): void {
  const module = targetModuleImporting();
  if (module === undefined) return;
  const runtime = getRuntime();
  const error = new ProcessStateError(
    `An attempt has been made to start ${processName} from code that ${runtime.name} runs because it imported its target's module \`${module}\` ` +
      "(the module's top level, or what it schedules), so every child that imports the module would start processes in turn. " +
      'Guard that code with `if (isMainModule(import.meta.url)) { … }` ' +
      "(Python's `if __name__ == '__main__':`), so children can import the module without running it.",
  );
  runtime.failChild?.(error);
  throw error;
}
