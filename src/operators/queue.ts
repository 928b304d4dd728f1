import type { Observable, OperatorFunction } from 'rxjs';
import { createObservable } from './rx.js';
import { directProducersOf, markDirect } from './direct-source.js';
import { show, validateOptionsObject } from './option-checks.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { validateBackendOption, type QueueBackendOption } from '../queue/select-backend.js';

/**
 * Options of the {@link queue} operator.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * export function double(n: number): number { return n * 2; }
 * if (isMainModule(import.meta.url)) {
 *   const options: QueueOperatorOptions = { maxsize: 100, overflow: 'error' }; // from() must not run ahead
 *   from([1, 2, 3]).pipe(queue(options), consume(double)).subscribe(console.log);
 * }
 * ```
 */
export interface QueueOperatorOptions {
  /** Items the queue holds between the source and the consumers. Default 1000. */
  readonly maxsize?: number;
  /**
   * What to do when a source that cannot be slowed down (a plain Observable such as `from(array)` or
   * a Subject, not a `producer()` or `consume()` subscribed under the queue) overfills it: `'buffer'`
   * (default) keeps every item in this process, as RxJS operators do (memory grows with what the
   * source emits ahead of the consumers); `'error'` errors with QueueFullError instead. Producer
   * children are paused whatever this says: the bound stays strict for them.
   */
  readonly overflow?: 'error' | 'buffer';
  /**
   * Where the queue lives: `'local'` (in this process), `redis(url, { name })` (in Redis: the
   * consumers started here share its items with workers on other machines, started with
   * `npx rx-multiprocessing worker --redis URL --name NAME --module ./handlers.js`), or `'auto'`
   * (default): Redis when the environment variable RXMP_REDIS_URL is set, under a fresh name each
   * run, local otherwise. Everything else keeps its meaning. See docs/redis.md.
   */
  readonly backend?: QueueBackendOption;
  /**
   * On Redis: how many producers started on any machine with `npx rx-multiprocessing producer
   * --name NAME …` the pipeline waits for, besides its source; their items join the source's.
   * Default 0. See docs/redis.md.
   */
  readonly remoteProducers?: number;
}

/**
 * Marks a bounded JoinableQueue between producers and the `consume()` that follows: the queue holds
 * at most `maxsize` items, and producer children stop being pulled while it is full. The output
 * completes when every item has been processed (`taskDone`), which is Python's `q.join()`.
 *
 * ```
 * producers:  --a--b--c--d--|        (3 children, merged)
 * queue:      [a b c d]              (≤ maxsize; producers wait while full)
 * consume:    ----A---B--C----D-|    (2 children; completes after the last taskDone)
 * ```
 *
 * @example
 * ```ts
 * export function* bake(food: string): Generator<string> { for (let i = 0; i < 3; i++) yield `${food}${i}`; }
 * export function eat(item: string): string { return `ate ${item}`; }
 * if (isMainModule(import.meta.url)) {
 *   mergeProducers(producer(bake, { args: ['bun'] }), producer(bake, { args: ['bone'] }))
 *     .pipe(queue({ maxsize: 1000 }), consume(eat, { processes: 2 }))
 *     .subscribe(console.log);      // ate bun0, ate bone0, … (6 lines), then completes
 * }
 * ```
 */
export function queue<T>(options: QueueOperatorOptions = {}): OperatorFunction<T, T> {
  const resolved = validateQueueOptions(options);
  return (source) => {
    const queued = createObservable<T>((subscriber) => source.subscribe(subscriber));
    return markDirect(Object.assign(queued, { [QUEUE_OPTIONS]: resolved }), directProducersOf(source));
  };
}

export function validateQueueOptions(options: QueueOperatorOptions): Required<QueueOperatorOptions> {
  options = validateOptionsObject(options, 'queue()', 'queue({ maxsize: 10 })') ?? {};
  const maxsize = options.maxsize ?? DEFAULT_MAXSIZE;
  if (!(maxsize === Infinity || (Number.isInteger(maxsize) && maxsize > 0))) {
    throw new TypeError(`Expected \`maxsize\` to be a positive integer or Infinity, got \`${show(maxsize)}\` (${typeof maxsize}).`);
  }
  const overflow = options.overflow ?? 'buffer';
  if (overflow !== 'error' && overflow !== 'buffer') {
    throw new TypeError(`Expected \`overflow\` to be 'error' or 'buffer', got \`${show(overflow)}\`.`);
  }
  const backend = options.backend ?? 'auto';
  validateBackendOption(backend, 'queue()');
  const remoteProducers = options.remoteProducers ?? 0;
  if (!Number.isInteger(remoteProducers) || remoteProducers < 0) {
    throw new TypeError(`Expected \`remoteProducers\` to be a non-negative integer, got \`${show(remoteProducers)}\` (${typeof remoteProducers}).`);
  }
  if (remoteProducers > 0 && backend === 'local') {
    throw new TypeError("`remoteProducers` needs a queue in Redis: give `backend: redis(url, { name })`, not 'local'.");
  }
  return { maxsize, overflow, backend, remoteProducers };
}

/** What `overflow: 'error'` fails with: a source that cannot be paused sent more than the queue holds. */
export function overfilled(maxsize: number): QueueFullError {
  return new QueueFullError(
    maxsize,
    `The queue is full (maxsize ${maxsize}) and its source does not slow down: only producer() and consume() sources subscribed under queue()/consume() can be paused. ` +
      "Pipe producer() into queue() directly (operators like map/filter/merge in between are fine), or drop `overflow: 'error'` to buffer what it sends ahead.",
  );
}

/** The queue() settings carried by its output, for the consume() that follows. */
export function getQueueOptions(source: Observable<unknown>): Required<QueueOperatorOptions> | undefined {
  return (source as { [QUEUE_OPTIONS]?: Required<QueueOperatorOptions> })[QUEUE_OPTIONS];
}

const QUEUE_OPTIONS = Symbol.for('rx-multiprocessing.queueOptions');
const DEFAULT_MAXSIZE = 1000;
