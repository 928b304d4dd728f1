import { AsyncLocalStorage } from 'node:async_hooks';
import { mainScriptUrl } from './main-script.js';
import { getRuntime } from './runtime.js';

/**
 * Runs `load`, a child's import of its target's module, marked: code the module runs because it was
 * imported must not start processes. A child imports the user's script afresh, and what the script
 * runs without the main guard would otherwise start processes in every generation. What calls the
 * target afterwards (run(), a consumer's loop) is not marked: a target may start children of its own.
 *
 * The mark covers the import itself, top-level awaits included, for every module: nothing else runs
 * in a child while it imports a target. For the program's main script — the module a forgotten guard
 * is about — it also covers what the import schedules to run later (timers, promise chains,
 * subscriptions, an unawaited `main()`), through an AsyncLocalStorage. That one is not free on Node
 * 20: its hooks cost every promise of the process, ~1.2 ms more to import even an empty module and
 * 2-4x the cost of each await thereafter. A target in a module of its own keeps its start-up cost.
 */
export async function importingTarget<T>(module: string, load: () => Promise<T>): Promise<T> {
  const runtime = getRuntime();
  const outer = runtime.importingTarget;
  runtime.importingTarget = module;
  try {
    if (module !== mainScriptUrl()) return await load();
    // Shared through the runtime, as the rest of it: a second copy of the library sees the same mark.
    runtime.targetImport ??= new AsyncLocalStorage<string>();
    return await runtime.targetImport.run(module, load);
  } finally {
    runtime.importingTarget = outer;
  }
}

/** The target module whose import this code runs for (see importingTarget), or undefined. */
export function targetModuleImporting(): string | undefined {
  const runtime = getRuntime();
  return runtime.importingTarget ?? runtime.targetImport?.getStore();
}
