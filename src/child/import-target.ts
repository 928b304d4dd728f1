import type { ModuleExportRef } from '../internal/function-locator.js';
import { fingerprint } from '../internal/fingerprint.js';
import { importingTarget } from '../internal/target-import.js';
import { TargetResolutionError } from '../errors/target-resolution-error.js';
import { ExitRequest, isExiting } from './exit.js';

// Imports the module a target lives in and returns the export, or a TargetResolutionError saying why not.
export async function importTarget(ref: ModuleExportRef): Promise<Function> {
  let namespace: Record<string, unknown>;
  try {
    // Marked, so that code the module runs unguarded cannot start processes (see importingTarget).
    namespace = (await importingTarget(ref.module, () => import(ref.module))) as Record<string, unknown>;
  } catch (cause) {
    // The library's own errors (a process started at import time) already say what to fix.
    if (cause instanceof Error && Object.hasOwn(LIBRARY_ERRORS, cause.name)) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TargetResolutionError(
      `The child process could not import \`${ref.module}\`: ${reason}. ` +
        'Fix the error above, or make sure the module loads on its own (children import it afresh).',
      { module: ref.module, exportName: ref.exportName, cause },
    );
  }
  // The module started a process unguarded as it loaded, and this child is failing for it (see
  // throwOnMissingMainGuard): unwind the caller, as process.exit() does, rather than run the target
  // (a consumer would take items meanwhile, and report them as done).
  if (isExiting()) throw new ExitRequest(1);
  const found = pickExport(namespace, ref);
  if (typeof found !== 'function') {
    throw new TargetResolutionError(
      `\`${ref.module}\` has no exported function \`${ref.exportName}\` in the child process. ` +
        'Export the target at the top level of its module (`export function …`), or pass `{ module, export }`.',
      { module: ref.module, exportName: ref.exportName },
    );
  }
  return found;
}

// CommonJS modules reach ESM as `default` = module.exports; fall back to it for names the lexer could not see.
function pickExport(namespace: Record<string, unknown>, ref: ModuleExportRef): unknown {
  const commonjs = namespace['default'];
  const direct = namespace[ref.exportName] ?? (commonjs && typeof commonjs === 'object' ? (commonjs as Record<string, unknown>)[ref.exportName] : undefined);
  if (typeof direct !== 'function' || !ref.fingerprint || fingerprint(direct as Function) === ref.fingerprint) return direct;
  // Same name, other source: the parent may have located a nested homonym of another export; prefer
  // an export with exactly the parent's source. (The same module loaded as CommonJS in the parent and
  // as ESM here compiles differently, so a mismatch alone proves nothing.)
  return Object.values(namespace).find((value) => typeof value === 'function' && fingerprint(value as Function) === ref.fingerprint) ?? direct;
}

const LIBRARY_ERRORS = { ProcessStateError: true, TargetResolutionError: true, SerializationError: true };
