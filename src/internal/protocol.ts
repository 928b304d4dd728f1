import type { ConsumerResult } from '../child/consumer-input.js';
import type { ModuleExportRef } from './function-locator.js';
import type { LogSettings, ParentInfo } from './runtime.js';
import type { TransportSettings } from './transport-settings.js';

/**
 * Every message the library sends over a child's IPC channel. Each carries `rxmp` (its type), so
 * messages of the library and of user code (`process.send`) can share the channel.
 */
export type ProtocolMessage =
  | BootMessage
  | ReadyMessage
  | InitFailedMessage
  | FailedMessage
  | ConsumeJobsMessage
  | ConsumeEndMessage
  | ConsumeResultsMessage
  | ConsumeProgressMessage
  | InboxMessage
  | RoutesMessage
  | RouteMessage
  | ReleaseMessage
  | ProducedMessage
  | ExitingMessage
  | DyingOnMessage
  | PoolReadyMessage
  | PoolTaskMessage
  | PoolDoneMessage
  | PoolStopMessage;

/** parent → child, once: who the child is and what to run. */
export interface BootMessage {
  readonly rxmp: 'boot';
  readonly boot: BootPayload;
}
/** child → parent: the target's module imported; run() is about to be called. */
export interface ReadyMessage {
  readonly rxmp: 'ready';
}
/**
 * child → parent: the child cannot run its target and exits with 1: the target could not be
 * imported, or code its module runs on import tried to start a process (a missing main guard).
 */
export interface InitFailedMessage {
  readonly rxmp: 'init-failed';
  readonly error: RemoteError;
}

/**
 * child → parent: the target threw or rejected, or an error went uncaught: the error the child prints
 * as its crash report before it exits with 1, for the parent's errors to carry as `cause`.
 */
export interface FailedMessage {
  readonly rxmp: 'failed';
  readonly error: RemoteError;
}

/**
 * child → parent: its work is over and nothing is left to run: it exits with `code` at once. The
 * kernel says so 4–9 ms later (longer the larger the child's heap), which a pipeline waiting on
 * its producers need not wait for.
 */
export interface ExitingMessage {
  readonly rxmp: 'exiting';
  readonly code: number;
}

/**
 * a consume() child → parent: its handler ended the process (process.exit(), an uncaught error) while
 * it ran this item (summarised): consume() counts the consumers each item killed (a poison item).
 */
export interface DyingOnMessage {
  readonly rxmp: 'dying-on';
  readonly item: string;
}

/** a Pool worker → parent: its initializer has run; it takes tasks from now on. */
export interface PoolReadyMessage {
  readonly rxmp: 'pool-ready';
}
/**
 * parent → a Pool worker: call `fn` once per entry of `calls` (each an argument list), in order. A
 * chunk of map() is one task. With `settle`, a call that throws does not end the task: every call
 * runs, and each failure is reported at its index.
 */
export interface PoolTaskMessage {
  readonly rxmp: 'pool-task';
  readonly id: number;
  readonly fn: ModuleExportRef;
  readonly calls: readonly (readonly unknown[])[];
  readonly settle: boolean;
  /** The credentials of the Redis queues in `calls`, by their descriptors' `secret`; absent when there are none. */
  readonly redisSecrets?: Readonly<Record<string, RedisSecret>>;
}
/**
 * a Pool worker → parent: task `id` is over. `values[i]` is what call i returned; `errors` holds the
 * calls that threw, by index (without `settle`, the first one ended the task, and `values` stops there).
 */
export interface PoolDoneMessage {
  readonly rxmp: 'pool-done';
  readonly id: number;
  readonly values: readonly unknown[];
  readonly errors?: readonly (readonly [index: number, error: RemoteError])[];
}
/** parent → a Pool worker: no more tasks; return once idle (close(), or maxtasksperchild reached). */
export interface PoolStopMessage {
  readonly rxmp: 'pool-stop';
}

/** parent → a consume() child: its next items, in the order it is to handle them. */
export interface ConsumeJobsMessage {
  readonly rxmp: 'consume-jobs';
  readonly items: readonly unknown[];
}
/** parent → a consume() child: no more items; a non-daemon consumer returns after those it has. */
export interface ConsumeEndMessage {
  readonly rxmp: 'consume-end';
}
/** a consume() child → parent: outcomes of the items it handled. */
export interface ConsumeResultsMessage {
  readonly rxmp: 'consume-results';
  readonly result: ConsumerResult;
}

/** a Redis pipeline's consumer → a worker that shows progress: items done and entries redelivered to it, since the last message. */
export interface ConsumeProgressMessage {
  readonly rxmp: 'consume-progress';
  readonly done: number;
  readonly redelivered: number;
}

/** a broker-free consumer → parent: where producers are to write its items (see InboxInput). */
export interface InboxMessage {
  readonly rxmp: 'inbox';
  readonly address: string;
}
/** parent → a broker-free producer: every consumer's inbox, in consumer order. */
export interface RoutesMessage {
  readonly rxmp: 'routes';
  readonly addresses: readonly string[];
}
/** parent → a broker-free producer that has its routes: consumer `consumer` was replaced, and this is its new inbox. */
export interface RouteMessage {
  readonly rxmp: 'route';
  readonly consumer: number;
  readonly address: string;
}
/** parent → a broker-free producer: these batches of its are handled; it may forget them. */
export interface ReleaseMessage {
  readonly rxmp: 'release';
  readonly seqs: readonly number[];
}
/**
 * a broker-free producer → parent: how many items it has sent so far (once a turn, while it sends),
 * and `done` once that is all of them.
 */
export interface ProducedMessage {
  readonly rxmp: 'produced';
  readonly total: number;
  readonly done: boolean;
}

/**
 * Where the items of one consumer report came from, in the order they were handled: `count` items of
 * producer `p`'s batch `seq` (of `n` items), starting at index `from`.
 */
export type ItemSpan = readonly [p: number, seq: number, n: number, from: number, count: number];

/** Between a broker-free producer and a consumer's inbox: a batch of items, and credit (in items) back for more. */
export type InboxWireMessage = { readonly t: 'batch'; readonly p: number; readonly seq: number } | { readonly t: 'credit'; readonly n: number };

export interface BootPayload {
  readonly name: string;
  readonly identity: readonly number[];
  readonly daemon: boolean;
  readonly parent: ParentInfo;
  /** The target function, or null for none. */
  readonly target: ModuleExportRef | null;
  /** A Process subclass to rebuild (its own public fields), or null for Process itself. */
  readonly subclass: { readonly ref: ModuleExportRef; readonly fields: Readonly<Record<string, unknown>> } | null;
  readonly args: readonly unknown[];
  readonly log: LogSettings;
  /** The tree's authkey and socket folder: this channel is the only way they reach a child. */
  readonly transport: TransportSettings;
  /** The credentials of the Redis queues in args or fields, by their descriptors' `secret`; absent when there are none. */
  readonly redisSecrets?: Readonly<Record<string, RedisSecret>>;
}

/** An error flattened for IPC (structured clone keeps no class). */
export interface RemoteError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly module?: string | undefined;
  readonly exportName?: string | undefined;
  /** The error's own `cause`, when it is an Error too. */
  readonly cause?: RemoteError | undefined;
}

export function isProtocolMessage(message: unknown): message is ProtocolMessage {
  return typeof message === 'object' && message !== null && typeof (message as { rxmp?: unknown }).rxmp === 'string';
}

export function toRemoteError(error: unknown, depth = 0): RemoteError {
  if (error instanceof Error) {
    const extra = error as { module?: unknown; exportName?: unknown };
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      module: typeof extra.module === 'string' ? extra.module : undefined,
      exportName: typeof extra.exportName === 'string' ? extra.exportName : undefined,
      // A cause chain may be cyclic or long: a few links say why.
      cause: error.cause instanceof Error && depth < MAX_CAUSE_DEPTH ? toRemoteError(error.cause, depth + 1) : undefined,
    };
  }
  return { name: 'Error', message: String(error), stack: undefined };
}

/**
 * Messages on a queue connection (a Unix socket from a proxy's process to the queue owner's), one
 * JSON header each; `items` and `put` carry a batch of items as the frame's body. Counts are
 * additive deltas > 0, so neither side needs to know the other's totals.
 */
export type QueueWireMessage =
  /** proxy → owner: `n` items, sent within credit. */
  | { readonly t: 'put'; readonly q: string; readonly n: number }
  /** proxy → owner: grant me up to `n` more slots. */
  | { readonly t: 'want-credit'; readonly q: string; readonly n: number }
  /** proxy → owner: `n` slots of credit I will not use. */
  | { readonly t: 'release'; readonly q: string; readonly n: number }
  /** proxy → owner: send me up to `n` more items. */
  | { readonly t: 'request'; readonly q: string; readonly n: number }
  /** proxy → owner: forget `n` of my outstanding item requests (a get gave up). */
  | { readonly t: 'unrequest'; readonly q: string; readonly n: number }
  /** proxy → owner: `n` items I was sent and no longer want (body), to go back to the head. */
  | { readonly t: 'give-back'; readonly q: string; readonly n: number }
  /**
   * proxy → owner: my user code took `n` items I was sent (they can no longer be lost with me). A
   * direct pipeline's consumer sends this only once it handled them, with their outcomes as body:
   * one frame, so an outcome is reported exactly when its item stops being redelivered.
   */
  | { readonly t: 'took'; readonly q: string; readonly n: number }
  /** proxy → owner: `n` taskDone() calls. */
  | { readonly t: 'done'; readonly q: string; readonly n: number }
  /** proxy → owner: answer `joined` with this id when the unfinished count is zero. */
  | { readonly t: 'join'; readonly q: string; readonly id: number }
  /** proxy → owner: the join with this id was given up (aborted): do not answer it. */
  | { readonly t: 'unjoin'; readonly q: string; readonly id: number }
  /** owner → proxy: `n` more slots of credit; `size` is the owner's buffer length now. */
  | { readonly t: 'credit'; readonly q: string; readonly n: number; readonly size: number }
  /** owner → proxy: `n` items (body); `size` is the owner's buffer length now. */
  | { readonly t: 'items'; readonly q: string; readonly n: number; readonly size: number }
  /** owner → proxy: the join with this id settled. */
  | { readonly t: 'joined'; readonly q: string; readonly id: number }
  /** owner → proxy: a request of this proxy failed (taskDone called too many times, unknown queue). */
  | { readonly t: 'fail'; readonly q: string; readonly name: string; readonly message: string };

/** How a queue travels in Process args: where it lives and which queue it is. */
export type QueueDescriptor = LocalQueueDescriptor | RedisQueueDescriptor;

/** A queue served by its owner process: where the owner listens and which queue it is. */
export interface LocalQueueDescriptor {
  readonly [QUEUE_DESCRIPTOR_KEY]: true;
  readonly kind?: undefined;
  readonly id: string;
  readonly address: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  /** A fixed prefetch window for proxies (set by the library's own queues), instead of the adaptive one. */
  readonly prefetch?: number;
  /** The largest adaptive prefetch window for proxies, if not MAX_PREFETCH. */
  readonly maxPrefetch?: number;
  /** One remote process puts into this queue: its credit window may be the whole maxsize, not half. */
  readonly soleProducer?: true;
}

/**
 * A queue in Redis: the server without user or password, the queue's name and its non-secret
 * options. The credentials (the URL with its password, the authkey) never travel in it: `secret`
 * names them in the boot payload's `redisSecrets`, sent over the child's private IPC channel.
 */
export interface RedisQueueDescriptor {
  readonly [QUEUE_DESCRIPTOR_KEY]: true;
  readonly kind: 'redis';
  readonly url: string;
  readonly name: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly options: Readonly<Record<string, number | string>>;
  readonly secret: string;
}

/** What a child needs to connect to a Redis queue and that must not travel in a descriptor. */
export interface RedisSecret {
  readonly url: string;
  readonly authkey?: string | Buffer;
  /** The CAs (PEM) a `rediss://` queue trusts: not secret, but the child needs them to connect. */
  readonly tls?: { readonly ca?: readonly string[] | string | Buffer | readonly (string | Buffer)[] };
}

export const QUEUE_DESCRIPTOR_KEY = '__rxMultiprocessingQueue';

const MAX_CAUSE_DEPTH = 4;
