import type { Observable } from 'rxjs';
import { directProducersOf, markDirect } from './direct-source.js';
import { loadRxjs } from './rx.js';
import { kindOf, show } from './option-checks.js';

// RxJS's own test, without importing rxjs eagerly: a subscribe method is what merge() needs.
function isObservable(value: unknown): boolean {
  try {
    return typeof value === 'object' && value !== null && typeof (value as { subscribe?: unknown }).subscribe === 'function';
  } catch {
    return false; // a Proxy whose trap throws is no Observable either
  }
}

/**
 * RxJS's `merge` for `producer()` Observables, which also lets a `queue()`/`consume()` piped straight
 * after it take the direct path: no item passes through this process. By default the producer
 * children write their batches straight to the consumer children (each serves an inbox), within
 * credit that bounds what is in flight as the queue path would (maxsize plus each consumer's
 * window), and that follows each consumer's speed as a queue proxy's window does: slow items go one
 * at a time to every consumer, fast ones in batches. This process only hears the outcomes, emits
 * each item's first one and tells the producers which batches are done. A producer keeps its batches
 * until then and sends those of a consumer that died to the others: a dead consumer's items are
 * handled elsewhere and reported once (a handler may run twice for an item whose consumer died after
 * handling it, as on the queue path), and a producer child lives until all its items are done.
 * A producer given its queue (`queue: true`), an explicit `prefetch`, or a `maxsize` below two items
 * per producer-consumer pair take the seed's path instead: the producers put into one JoinableQueue
 * of this process, which forwards their batches to the consumers as they came, never decoded here.
 * With RxJS's `merge` of several producers, or with any operator between the producers and
 * `consume()`, every item is decoded here and goes through the operator chain, as it must: slower in
 * the benchmark (docs/performance.md). A single `producer()` piped into `queue()`/`consume()` takes
 * the direct path by itself.
 *
 * On the direct path a producer's `window` option does not apply, the output completes once every
 * producer has exited with 0 and every item is done, and a TaskError's `seq` is -1: this process
 * never sees the items. `consume()` options that need each item here — `ordered`,
 * `taskDone: 'manual'`, `onConsumerExit: 'error'` — keep the general path.
 *
 * @example
 * ```ts
 * export function* bake(food: string): Generator<string> { for (let i = 0; i < 3; i++) yield `${food}${i}`; }
 * export function eat(item: string): string { return `ate ${item}`; }
 * if (isMainModule(import.meta.url)) {
 *   // Producers write straight to the consumers: no item passes through this process.
 *   mergeProducers(producer(bake, { args: ['bun'] }), producer(bake, { args: ['bone'] }))
 *     .pipe(queue({ maxsize: 1000 }), consume(eat, { processes: 2 }))
 *     .subscribe(console.log);
 * }
 * ```
 */
export function mergeProducers<A extends readonly unknown[]>(...producers: { [K in keyof A]: Observable<A[K]> }): Observable<A[number]> {
  producers.forEach((candidate: unknown, index) => {
    if (!isObservable(candidate)) {
      throw new TypeError(`Expected argument ${index} of mergeProducers() to be an Observable (a producer()), got \`${show(candidate)}\` (${kindOf(candidate)}).`);
    }
  });
  const merged = loadRxjs().merge(...(producers as readonly Observable<A[number]>[]));
  const specs = (producers as readonly Observable<A[number]>[]).map(directProducersOf);
  return markDirect(merged, specs.every((spec) => spec !== undefined) ? specs.flat() : undefined);
}
