// The RxJS piece the forked operators use, imported from its own module: the 'rxjs' entry point
// loads all of RxJS (~32 ms), and every child whose target module imports this library would pay
// that at start-up. These paths are in RxJS 7's package exports and load the same module files as
// the entry point, so Observable stays one class for users and for us.
import { createRequire } from 'node:module';

export { Observable } from 'rxjs/internal/Observable';

/** All of RxJS, loaded on first use (by the inline start method, which is for tests). */
export function loadRxjs(): typeof import('rxjs') {
  return require('rxjs') as typeof import('rxjs');
}

const require = createRequire(import.meta.url);
