import { retireSpares } from '../internal/spare-processes.js';

/**
 * How children are started, Python's start methods:
 * - `'spawn'` (default) forks a fresh Node child per `Process.start()`, producer and consumer;
 * - `'forkserver'` does the same from spare children forked ahead of need (Node booted, the library
 *   loaded, no user code run): a start takes a ready spare, ~1 ms instead of a cold child's start-up,
 *   and a replacement boots in the background. Spares follow demand (at most cpuCount(), retired after
 *   5 s without a start), never keep the program alive and die with it;
 * - `'thread'` runs the reactive layer's producers and consumers in worker threads of this process
 *   instead (as the option `context: 'thread'` does for one operator; `Process` still forks);
 * - `'inline'` runs the reactive layer's producers and consumers in the calling process — Python's
 *   `multiprocessing.dummy` idea — with the same operators, options, ordering and completion rules, so
 *   a pipeline can be unit-tested in milliseconds, under RxJS's TestScheduler too (`Process` still forks).
 * Read at each start (`Process.start()`, `producer()`, `consume()`); the `context` option of
 * producer() / consume(), when given, wins.
 *
 * @example
 * ```ts
 * const method: StartMethod = process.env.NODE_ENV === 'test' ? 'inline' : 'spawn';
 * setStartMethod(method);
 * ```
 */
export type StartMethod = 'spawn' | 'forkserver' | 'thread' | 'inline';

/**
 * Python's `set_start_method`. Returns the previous method. Leaving 'forkserver' retires its spares.
 *
 * @example
 * ```ts
 * setStartMethod('forkserver');                 // a program that starts many short-lived processes
 * const previous = setStartMethod('inline');    // unit tests of a pipeline: no processes at all
 * setStartMethod(previous);                     // back to 'forkserver'
 * ```
 */
export function setStartMethod(method: StartMethod): StartMethod {
  if (!METHODS.includes(method)) {
    throw new TypeError(`Expected the start method to be 'spawn', 'forkserver', 'thread' or 'inline', got \`${String(method)}\`.`);
  }
  const holder = globalThis as { [START_METHOD_KEY]?: StartMethod };
  const previous = holder[START_METHOD_KEY] ?? 'spawn';
  holder[START_METHOD_KEY] = method;
  if (method !== 'forkserver') retireSpares();
  return previous;
}

/**
 * The start method in force.
 *
 * @example
 * ```ts
 * console.log(getStartMethod());    // 'spawn' unless setStartMethod() chose another
 * ```
 */
export function getStartMethod(): StartMethod {
  return (globalThis as { [START_METHOD_KEY]?: StartMethod })[START_METHOD_KEY] ?? 'spawn';
}

const METHODS: readonly StartMethod[] = ['spawn', 'forkserver', 'thread', 'inline'];
const START_METHOD_KEY = Symbol.for('rx-multiprocessing.startMethod');
