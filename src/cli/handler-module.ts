import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleExportRef } from '../internal/function-locator.js';

/** The module a worker or producer was started with: the only code it runs, found by export name. */
export interface HandlerModule {
  /** Where a child finds export `name`, if the module has a function by that name. */
  ref(name: string): ModuleExportRef | undefined;
}

/** Imports the module at `path` (relative to the working folder) once, here, so that a mistake shows before any child starts. */
export async function importHandlers(path: string): Promise<HandlerModule> {
  const url = pathToFileURL(resolve(path)).href;
  const loaded = (await import(url)) as Record<string, unknown>;
  return {
    ref: (name) => (typeof loaded[name] === 'function' ? { module: url, exportName: name } : undefined),
  };
}
