import { QueueClosedError } from '../../errors/queue-closed-error.js';
import { classifyRedisError, isConnectionFailure, isLoadingReply } from './classify-redis-error.js';
import { MissingDependencyError } from '../../errors/missing-dependency-error.js';
import { RedisBackendError } from './errors/redis-backend-error.js';
import { RedisConnectionLostError } from './errors/redis-connection-lost-error.js';
import { RedisUnreachableError } from './errors/redis-unreachable-error.js';
import type { RedisAddress } from './redis-url.js';
import type { LuaScript } from './scripts.js';

/** A command's argument as Redis takes it. */
export type RedisArg = string | Buffer;

/** What the queue engine needs of a Redis connection, whichever client provides it. */
export interface RedisLink {
  readonly address: RedisAddress;
  /**
   * Sends one command. A reply error becomes a typed RedisBackendError; a broken connection is
   * waited out and the command sent again (each command the engine sends is safe to repeat), until
   * `reconnectTimeout` passes: then QueueClosedError, caused by RedisConnectionLostError.
   */
  call(args: readonly RedisArg[]): Promise<unknown>;
  /** Runs a script by its hash, loading it on the server when missing (NOSCRIPT). */
  run(script: LuaScript, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown>;
  /** A second connection to the same server, for blocking reads that would stall this one. */
  duplicate(): Promise<RedisLink>;
  /** Closes the connection; commands in flight are rejected with QueueClosedError. */
  close(): void;
}

export interface RedisLinkOptions {
  /** How long a lost connection may stay lost before pending and later calls fail (ms). */
  readonly reconnectTimeout: number;
  /** For `rediss://`: the CAs to trust (Node's defaults otherwise). */
  readonly tls?: { readonly ca?: string | Buffer | readonly (string | Buffer)[] } | undefined;
}

/**
 * Connects with node-redis (`@redis/client`, loaded here and only here, so that a program that never
 * uses a Redis queue never loads it). The first connection fails fast with a typed error (unreachable,
 * credentials refused); later breaks are reconnected for up to `reconnectTimeout` ms.
 */
export async function connectRedis(address: RedisAddress, options: RedisLinkOptions): Promise<RedisLink> {
  const module = await loadClient();
  const link = new NodeRedisLink(address, options, module);
  await link.open();
  return link;
}

// The part of @redis/client this file uses: typed here so that no declaration of the library
// mentions the optional package's types.
interface ClientModule {
  createClient(options: object): NodeRedisClient;
  RESP_TYPES: { readonly BLOB_STRING: number };
}
interface NodeRedisClient {
  withTypeMapping(mapping: object): NodeRedisClient;
  connect(): Promise<unknown>;
  sendCommand(args: readonly RedisArg[]): Promise<unknown>;
  destroy(): void;
  ref(): void;
  unref(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

async function loadClient(): Promise<ClientModule> {
  try {
    return (await import('@redis/client')) as unknown as ClientModule;
  } catch (cause) {
    throw new MissingDependencyError('@redis/client', 'A Redis queue backend', cause);
  }
}

class NodeRedisLink implements RedisLink {
  readonly address: RedisAddress;
  readonly #options: RedisLinkOptions;
  readonly #module: ClientModule;
  readonly #client: NodeRedisClient;
  #connected = false;
  #inFlight = 0;
  #lostSince: number | undefined;
  // Set once the link is closed or gave up reconnecting: every call rejects with it.
  #closed: QueueClosedError | undefined;
  #waitingForReady: (() => void)[] = [];

  constructor(address: RedisAddress, options: RedisLinkOptions, module: ClientModule) {
    this.address = address;
    this.#options = options;
    this.#module = module;
    const base = module.createClient({
      url: address.url,
      RESP: 2,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectStrategy: (retries: number) => this.#nextRetry(retries),
        // Passed to tls.connect by the client for a rediss:// URL.
        ...(address.tls && options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
      },
    });
    // Replies as Buffers: entry payloads are binary; ids and counters are read with toString().
    this.#client = base.withTypeMapping({ [module.RESP_TYPES.BLOB_STRING]: Buffer });
    // Without a listener an 'error' event would throw; errors reach callers through their commands.
    base.on('error', () => {});
    base.on('ready', () => {
      this.#lostSince = undefined;
      const waiting = this.#waitingForReady;
      this.#waitingForReady = [];
      for (const wake of waiting) wake();
    });
  }

  async open(): Promise<void> {
    try {
      await this.#client.connect();
    } catch (error) {
      this.#client.destroy();
      throw classifyRedisError(error, this.address);
    }
    this.#connected = true;
    this.#client.unref();
  }

  async call(args: readonly RedisArg[]): Promise<unknown> {
    // The socket keeps the process alive only while a command is out (a get or join waiting in a
    // blocking read among them), as a local queue's socket does: an idle queue never holds a process.
    if (this.#inFlight++ === 0) this.#client.ref();
    try {
      return await this.#send(args);
    } finally {
      if (--this.#inFlight === 0 && !this.#closed) this.#client.unref();
    }
  }

  async #send(args: readonly RedisArg[]): Promise<unknown> {
    let loadingSince: number | undefined;
    for (let tries = 0; ; tries++) {
      if (this.#closed) throw this.#closed;
      try {
        return await this.#client.sendCommand(args);
      } catch (error) {
        if (this.#closed) throw this.#closed;
        // A server that restarted is reachable before it has read its AOF back: that wait is part of
        // the outage reconnectTimeout allows, not a failure of the command.
        if (isLoadingReply(error)) {
          loadingSince ??= Date.now();
          if (Date.now() - loadingSince > this.#options.reconnectTimeout) throw classifyRedisError(error, this.address);
          await new Promise((r) => setTimeout(r, Math.min(RETRY_BASE_MS * 2 ** tries, RETRY_MAX_MS)));
          continue;
        }
        if (!isConnectionFailure(error)) throw classifyRedisError(error, this.address);
        await this.#reconnected();
      }
    }
  }

  async run(script: LuaScript, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.call(['EVALSHA', script.sha, ...tail]);
    } catch (error) {
      // A restarted or flushed server has forgotten the script: EVAL sends it and caches it again.
      if (error instanceof RedisBackendError && error.redisCode === 'NOSCRIPT') return this.call(['EVAL', script.source, ...tail]);
      throw error;
    }
  }

  async duplicate(): Promise<RedisLink> {
    const started = Date.now();
    for (let tries = 0; ; tries++) {
      const link = new NodeRedisLink(this.address, this.#options, this.#module);
      try {
        await link.open();
        return link;
      } catch (error) {
        // This server was reachable (this link reached it): another connection refused now is an
        // outage, ridden out for reconnectTimeout as this link's own breaks are.
        if (!(error instanceof RedisUnreachableError) || this.#closed || Date.now() - started > this.#options.reconnectTimeout) throw this.#closed ?? error;
        await new Promise((r) => setTimeout(r, Math.min(RETRY_BASE_MS * 2 ** tries, RETRY_MAX_MS)));
      }
    }
  }

  close(): void {
    if (!this.#closed) this.#closed = new QueueClosedError('The queue was closed in this process.');
    this.#client.destroy();
    this.#wakeAll();
  }

  // Called by the client after the connection broke: a delay before the next try, or false to give up.
  #nextRetry(retries: number): number | false {
    if (!this.#connected || this.#closed) return false;
    this.#lostSince ??= Date.now();
    if (Date.now() - this.#lostSince > this.#options.reconnectTimeout) {
      const cause = new RedisConnectionLostError(this.address.redacted, this.#options.reconnectTimeout);
      this.#closed = new QueueClosedError(`${cause.message}`, { cause });
      queueMicrotask(() => this.#wakeAll());
      return false;
    }
    return Math.min(RETRY_BASE_MS * 2 ** retries, RETRY_MAX_MS);
  }

  // Resolves when the connection is back; the caller then finds #closed set if it never came back.
  #reconnected(): Promise<void> {
    return new Promise((resolve) => {
      this.#waitingForReady.push(resolve);
      // A give-up decided before this call registered would otherwise never wake it.
      if (this.#closed) this.#wakeAll();
    });
  }

  #wakeAll(): void {
    const waiting = this.#waitingForReady;
    this.#waitingForReady = [];
    for (const wake of waiting) wake();
  }
}

const CONNECT_TIMEOUT_MS = 5_000;
const RETRY_BASE_MS = 20;
const RETRY_MAX_MS = 500;
