import { show } from './option-checks.js';
import { getStartMethod } from './start-method.js';
import { IN_THREAD } from '../internal/symbols.js';

/**
 * Where producer() and consume() run their targets: `'process'`, a forked child process each, or
 * `'thread'`, a worker thread of this process each (no fork, exec or Node boot to wait for; see
 * docs/threads.md for what differs).
 *
 * @example
 * ```ts
 * export function* ticks(): Generator<number> { yield 1; yield 2; }
 * if (isMainModule(import.meta.url)) {
 *   const context: Context = 'thread';
 *   producer(ticks, { context }).subscribe(console.log); // 1 2, from a worker thread
 * }
 * ```
 */
export type Context = 'process' | 'thread';

/** The `context` option, checked; when omitted, the start method decides ('spawn' and 'forkserver' start processes, 'inline' stays inline). */
export function resolveContext(context: unknown): Context | 'inline' {
  if (context === undefined) {
    const method = getStartMethod();
    return method === 'thread' || method === 'inline' ? method : 'process';
  }
  if (context !== 'process' && context !== 'thread') {
    throw new TypeError(`Expected \`context\` to be 'process' or 'thread', got \`${show(context)}\`.`);
  }
  return context;
}

/** The Process options that start a child in `context`. */
export function contextOptions(context: Context | 'inline'): { [IN_THREAD]?: true } {
  return context === 'thread' ? { [IN_THREAD]: true } : {};
}
