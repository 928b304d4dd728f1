import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { getRuntime } from './runtime.js';

/**
 * The file URL of the script the program's main process runs (with symlinks resolved, as Node loads
 * it), in every process of the program: a child's own argv names the bootstrap, so each parent hands
 * the URL down in its children's environment (MAIN_SCRIPT_VARIABLE). Undefined for `node -e` code.
 */
export function mainScriptUrl(): string | undefined {
  if (getRuntime().parent !== null) return process.env[MAIN_SCRIPT_VARIABLE] || undefined;
  rootScript ??= findRootScript();
  return rootScript || undefined;
}

function findRootScript(): string {
  const entry = process.argv[1];
  if (!entry) return '';
  try {
    return pathToFileURL(realpathSync(entry)).href;
  } catch {
    return pathToFileURL(entry).href;
  }
}

let rootScript: string | undefined;

export const MAIN_SCRIPT_VARIABLE = 'RX_MULTIPROCESSING_MAIN_SCRIPT';
