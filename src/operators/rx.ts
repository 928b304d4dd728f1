// The RxJS pieces the operators use, loaded on first use: the 'rxjs' entry point loads all of RxJS
// (~32 ms), and even its Observable module alone is 16 CommonJS files (~7 ms), which every child whose
// target module imports this library would pay at start-up. 'rxjs/internal/Observable' is in RxJS 7's
// package exports and loads the same module file as the entry point, so Observable stays one class for
// users and for us.
import { createRequire } from 'node:module';
import type { Observable, Subscriber, TeardownLogic } from 'rxjs';

/** `new Observable(subscribe)`, RxJS's Observable being loaded by the first call. */
export function createObservable<T>(subscribe: (subscriber: Subscriber<T>) => TeardownLogic): Observable<T> {
  ObservableClass ??= (require('rxjs/internal/Observable') as typeof import('rxjs/internal/Observable')).Observable;
  return new ObservableClass<T>(subscribe);
}

/** All of RxJS, loaded on first use (mergeProducers, and the inline start method). */
export function loadRxjs(): typeof import('rxjs') {
  return require('rxjs') as typeof import('rxjs');
}

let ObservableClass: typeof Observable | undefined;
const require = createRequire(import.meta.url);
