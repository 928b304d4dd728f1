/**
 * How the reactive layer runs its targets: `'spawn'` (default) forks a child process per producer
 * and consumer; `'thread'` starts a worker thread of this process for each instead (as the option
 * `context: 'thread'` does for one operator); `'inline'` runs them in the calling process — Python's
 * `multiprocessing.dummy` idea — with the same operators, options, ordering and completion rules, so
 * a pipeline can be unit-tested in milliseconds, under RxJS's TestScheduler too. Read when
 * `producer()` / `consume()` is called; their `context` option, when given, wins.
 */
export type StartMethod = 'spawn' | 'thread' | 'inline';

/**
 * Python's `set_start_method`, for the reactive layer. Returns the previous method.
 *
 * @example
 * before(() => setStartMethod('inline'));   // unit tests: no processes
 * after(() => setStartMethod('spawn'));
 */
export function setStartMethod(method: StartMethod): StartMethod {
  if (method !== 'spawn' && method !== 'thread' && method !== 'inline') {
    throw new TypeError(`Expected the start method to be 'spawn', 'thread' or 'inline', got \`${String(method)}\`.`);
  }
  const holder = globalThis as { [START_METHOD_KEY]?: StartMethod };
  const previous = holder[START_METHOD_KEY] ?? 'spawn';
  holder[START_METHOD_KEY] = method;
  return previous;
}

/** The start method in force. */
export function getStartMethod(): StartMethod {
  return (globalThis as { [START_METHOD_KEY]?: StartMethod })[START_METHOD_KEY] ?? 'spawn';
}

const START_METHOD_KEY = Symbol.for('rx-multiprocessing.startMethod');
