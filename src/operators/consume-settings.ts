import type { ConsumerInit } from '../child/consumer-input.js';
import { locateTarget } from './target-ref.js';
import { readSignal } from '../internal/abort.js';
import type { TargetReference } from '../process/process.js';
import { cpuCount } from '../process/current-process.js';
import { Pool } from '../pool/pool.js';
import type { ConsumeOptions } from './consume.js';
import { validateQueueOptions } from './queue.js';
import { contextOptions, resolveContext } from './context.js';
import { IN_THREAD } from '../internal/symbols.js';
import { show, validateArgs, validateName, validateOptionsObject } from './option-checks.js';
import { RESTARTS_PER_CONSUMER } from './restart-budget.js';
import { MAX_PREFETCH } from '../internal/prefetch-window.js';
import { putWindow } from '../queue/wire/queue-proxy.js';

/** consume()'s options, checked, with their defaults. */
export type ConsumeSettings = ReturnType<typeof validateConsumeOptions>;

export function validateConsumeOptions(options: ConsumeOptions<readonly unknown[], never>) {
  options = validateOptionsObject(options, 'consume()', 'consume(handler, { processes: 2 })') ?? {};
  const pool = validatePool(options);
  const processes = pool?.processes ?? options.processes ?? cpuCount();
  if (!Number.isInteger(processes) || processes < 1) {
    throw new TypeError(`Expected \`processes\` to be a positive integer, got \`${show(processes)}\` (${typeof processes}).`);
  }
  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(prefetch) || prefetch < 1) {
    throw new TypeError(`Expected \`prefetch\` to be a positive integer, got \`${show(prefetch)}\` (${typeof prefetch}).`);
  }
  const onConsumerExit = options.onConsumerExit ?? 'redeliver';
  if (onConsumerExit !== 'redeliver' && onConsumerExit !== 'error') {
    throw new TypeError(`Expected \`onConsumerExit\` to be 'redeliver' or 'error', got \`${show(onConsumerExit)}\`.`);
  }
  const onError = options.onError ?? 'fail';
  if (onError !== 'fail' && onError !== 'skip') {
    throw new TypeError(`Expected \`onError\` to be 'fail' or 'skip', got \`${show(onError)}\`.`);
  }
  if (options.maxsize !== undefined || options.overflow !== undefined) validateQueueOptions(options);
  const taskDone = options.taskDone ?? 'auto';
  if (taskDone !== 'auto' && taskDone !== 'manual') {
    throw new TypeError(`Expected \`taskDone\` to be 'auto' or 'manual', got \`${show(taskDone)}\`.`);
  }
  const daemon = options.daemon ?? true;
  if (taskDone === 'manual' && !daemon) {
    throw new TypeError(
      "Consumers with taskDone: 'manual' loop on get() forever, so they cannot end by themselves: keep daemon: true " +
        "(they are terminated once every item is done), or use taskDone: 'auto' with a per-item handler.",
    );
  }
  const manual = taskDone === 'manual';
  // Manual consumers take from a queue sized once, at the start: their window stays fixed.
  const adaptive = options.prefetch === undefined && !manual;
  const ordered = options.ordered ?? false;
  // The direct path (see mergeProducers) never sees the items: what needs them keeps the general one.
  const direct = !manual && !ordered && onConsumerExit === 'redeliver' && !pool;
  if (options.initializer !== undefined && typeof options.initializer !== 'function' && (typeof options.initializer !== 'object' || options.initializer === null)) {
    throw new TypeError(`Expected \`initializer\` to be a function exported from a module (or \`{ module, export }\`), got \`${show(options.initializer)}\` (${typeof options.initializer}).`);
  }
  if (options.initargs !== undefined && !Array.isArray(options.initargs)) {
    throw new TypeError(`Expected \`initargs\` to be an array of the initializer's arguments, got \`${show(options.initargs)}\` (${typeof options.initargs}).`);
  }
  const maxRestarts = options.maxRestarts ?? RESTARTS_PER_CONSUMER * processes;
  if (maxRestarts !== Infinity && (!Number.isInteger(maxRestarts) || maxRestarts < 0)) {
    throw new TypeError(`Expected \`maxRestarts\` to be a non-negative integer or Infinity, got \`${show(maxRestarts)}\` (${typeof maxRestarts}).`);
  }
  const context = resolveContext(options.context);
  const initializer = options.initializer;
  if (context === 'inline' && initializer !== undefined && typeof initializer !== 'function') {
    throw new TypeError("The 'inline' context runs the initializer in this process and takes it as a function: import it (import { init } from './module.js') and pass init, not `{ module, export }`.");
  }
  const signal = readSignal(options.signal, 'consume()');
  const initargs: unknown[] = [...(options.initargs ?? [])];
  return { signal, pool, context, processes, maxRestarts, prefetch, adaptive, onConsumerExit, onError, daemon, manual, ordered, direct, name: validateName(options.name), args: validateArgs(options.args), initializer: initializer as InlineInitializer | TargetReference | undefined, initargs };
}

type InlineInitializer = (...args: never[]) => unknown;

// A pool brings its own workers: what would describe consumer processes cannot be given with it.
function validatePool(options: ConsumeOptions<readonly unknown[], never>): Pool | undefined {
  const { pool } = options;
  if (pool === undefined) return undefined;
  if (!(pool instanceof Pool)) throw new TypeError(`Expected \`pool\` to be a Pool, got \`${show(pool)}\` (${typeof pool}). Create one with new Pool({ processes: 4 }).`);
  for (const name of ['processes', 'initializer', 'initargs', 'context'] as const) {
    if (options[name] !== undefined) {
      throw new TypeError(`consume() was given both \`pool\` and \`${name}\`: the pool's own workers run the handler. Set ${name} on the Pool (new Pool({ ${name === 'initializer' || name === 'initargs' ? 'initializer, initargs' : name} })), or drop \`pool\`.`);
    }
  }
  if (options.taskDone === 'manual') {
    throw new TypeError("consume() with `pool` runs the handler per item: taskDone: 'manual' (a target looping on its queue) needs consumer processes of its own. Drop `pool` or use taskDone: 'auto'.");
  }
  return pool;
}

/** What a consumer child runs before its first item, if consume() was given an initializer. */
export function consumerInit(settings: ConsumeSettings): ConsumerInit | null {
  if (!settings.initializer) return null;
  return { ref: locateTarget(settings.initializer, 'consumer initializer'), args: settings.initargs };
}

/** The largest adaptive window of one consumer: maxsize shared among them, at most MAX_PREFETCH. */
export function maxConsumerWindow(settings: ConsumeSettings, maxsize: number): number {
  return Math.max(settings.prefetch, Math.min(MAX_PREFETCH, Math.ceil(maxsize / settings.processes)));
}

/** The options of consumer `id`'s Process: its name, when consume() was given one, and its context. */
export function consumerOptions(settings: ConsumeSettings, id: number): { name?: string; [IN_THREAD]?: true } {
  const context = contextOptions(settings.context);
  return settings.name === undefined ? context : { name: `${settings.name}${id + 1}`, ...context };
}

const DEFAULT_PREFETCH = 4;

/**
 * The largest window a consumer's queue proxy adapts to: the general path's (maxsize shared among the
 * consumers), but never below two of a producer's batches, which the queue then forwards whole;
 * a request for less than a batch has the queue decode the batch to split it.
 */
export function adaptiveWindowCap(settings: ConsumeSettings, maxsize: number, producers: number): number {
  return Math.min(MAX_PREFETCH, Math.max(maxConsumerWindow(settings, maxsize), 2 * putWindow(maxsize, producers === 1)));
}
