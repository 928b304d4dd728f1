import { TargetResolutionError } from '../errors/target-resolution-error.js';
import { locateExportedFunction, type ModuleExportRef } from '../internal/function-locator.js';
import { resolveTarget, type TargetReference } from '../process/process.js';
import { createObservable } from './rx.js';
import type { Observable } from 'rxjs';
import { show } from './option-checks.js';

/**
 * How a child finds an operator's function: an exported function, located, or a `{ module, export }`
 * reference, as Process takes. Throws TargetResolutionError naming the role for anything else.
 */
export function locateTarget(target: unknown, role: string): ModuleExportRef {
  if (typeof target === 'function') return locateExportedFunction(target, role);
  if (typeof target !== 'object' || target === null) {
    throw new TargetResolutionError(
      `Expected the ${role} to be a function exported from a module, or \`{ module, export }\`, got \`${show(target)}\` (${target === null ? 'null' : typeof target}).`,
    );
  }
  return resolveTarget(target as TargetReference) as ModuleExportRef;
}

/**
 * The 'inline' context runs the function in this process: a `{ module, export }` reference is
 * imported here first (the Observable then starts once the import is done); a function is used as is,
 * so an inline pipeline stays synchronous.
 */
export function withInlineTarget<T, F>(target: F | TargetReference, role: string, build: (fn: F) => Observable<T>): Observable<T> {
  if (typeof target === 'function') return build(target);
  const ref = locateTarget(target, role);
  return createObservable<T>((subscriber) => {
    let closed = false;
    let subscription: { unsubscribe(): void } | undefined;
    importInline(ref, role).then(
      (fn) => {
        if (!closed) subscription = build(fn as F).subscribe(subscriber);
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      closed = true;
      subscription?.unsubscribe();
    };
  });
}

async function importInline(ref: ModuleExportRef, role: string): Promise<Function> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(ref.module)) as Record<string, unknown>;
  } catch (cause) {
    throw new TargetResolutionError(`The ${role} \`${ref.exportName}\` could not be imported from \`${ref.module}\`: ${cause instanceof Error ? cause.message : show(cause)}. Check the module's path (relative paths are to the working directory).`, {
      module: ref.module,
      exportName: ref.exportName,
      cause,
    });
  }
  const found = namespace[ref.exportName];
  if (typeof found !== 'function') {
    throw new TargetResolutionError(`\`${ref.module}\` has no exported function \`${ref.exportName}\` (the ${role}). Export it at the top level of its module, or fix \`export\`.`, {
      module: ref.module,
      exportName: ref.exportName,
    });
  }
  return found;
}
