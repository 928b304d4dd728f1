import type { Observable } from 'rxjs';
import { directProducersOf, markDirect } from './direct-source.js';
import { loadRxjs } from './rx.js';

/**
 * RxJS's `merge` for `producer()` Observables, which also lets a `queue()`/`consume()` piped straight
 * after it take the direct path, the seed's: the producer children put into one JoinableQueue of this
 * process and the consumer children take from it, and the queue forwards the producers' batches as
 * they came, never decoded here (this process counts items and emits the consumers' results). With
 * RxJS's `merge` of several producers, or with any operator between the producers and `consume()`,
 * every item is decoded here and goes through the operator chain, as it must: 9–39 % slower in the
 * benchmark (README, *Benchmarks*). A single `producer()` piped into `queue()`/`consume()`
 * takes the direct path by itself.
 *
 * On the direct path the producers' credit is the queue's (a producer's `window` option does not
 * apply), the consumers' windows are the queue proxies' adaptive ones (see ConsumeOptions.prefetch),
 * the output completes once every producer has exited with 0 and every item is done, and a
 * TaskError's `seq` is -1: this process never sees the items. `consume()` options that need each item here — `ordered`,
 * `taskDone: 'manual'`, `onConsumerExit: 'error'` — keep the general path.
 *
 * @example
 * mergeProducers(producer(bake, { args: ['bun'] }), producer(bake, { args: ['bone'] }))
 *   .pipe(queue({ maxsize: 1000 }), consume(eat, { processes: 2 }));
 */
export function mergeProducers<A extends readonly unknown[]>(...producers: { [K in keyof A]: Observable<A[K]> }): Observable<A[number]> {
  const merged = loadRxjs().merge(...(producers as readonly Observable<A[number]>[]));
  const specs = (producers as readonly Observable<A[number]>[]).map(directProducersOf);
  return markDirect(merged, specs.every((spec) => spec !== undefined) ? specs.flat() : undefined);
}
