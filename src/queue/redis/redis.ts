import { inspect } from 'node:util';
import type { EntrySignatureError } from './errors/entry-signature-error.js';
import type { PoisonItemError } from './errors/poison-item-error.js';
import { queueKeys } from './keys.js';
import { resolveOptions, type RedisQueueOptions } from './redis-queue-options.js';
import { parseRedisUrl, type RedisAddress } from './redis-url.js';

/**
 * Options of {@link redis}: which queue on the server, and how it behaves. Every duration is in
 * milliseconds. `maxsize` and joinability come from the Queue or JoinableQueue that uses the backend.
 *
 * @example
 * ```ts
 * const options: RedisBackendOptions = { name: 'jobs', deadAfter: 10_000, authkey: 'shared secret' };
 * const q = new JoinableQueue<string>(100, { backend: redis('redis://127.0.0.1:6379', options) });
 * q.close();
 * ```
 */
export interface RedisBackendOptions {
  /** The queue's name: every process, on any machine, that uses the same name on the same Redis shares the queue. No braces or whitespace. */
  readonly name: string;
  /** Signs every entry (HMAC-SHA256); unsigned or wrongly signed entries are dropped unread. Give every process of the queue the same key. */
  readonly authkey?: string | Buffer;
  /** Told of each entry dropped for its signature (default: none). */
  readonly onRejected?: (error: EntrySignatureError) => void;
  /** A lost connection may stay lost this long before calls fail with QueueClosedError (10 000). */
  readonly reconnectTimeout?: number;
  /** A consumer process silent this long is dead: its items go to a live one (5 000). A child's go back at once when its parent sees it exit. */
  readonly deadAfter?: number;
  /** An entry delivered more often than this (its consumers died holding it) is handed out item by item, and the item in hand at the next death goes to the dead-letter stream (3). */
  readonly maxDeliveries?: number;
  /** Told of each item moved to the dead-letter stream (default: none). */
  readonly onDeadLetter?: (error: PoisonItemError) => void;
  /** Heartbeat period (1 000). */
  readonly heartbeat?: number;
  /** Every key of the queue expires this long after the last heartbeat of any process using it (3 600 000). */
  readonly keyTtl?: number;
  /** Items per stream entry at most (100): the batch size. */
  readonly batchItems?: number;
  /** For a `rediss://` URL: the TLS settings (default: Node's trusted CAs, plus NODE_EXTRA_CA_CERTS). */
  readonly tls?: RedisTlsOptions;
}

/**
 * TLS settings of a `rediss://` backend. They reach every process the queue is passed to, beside its
 * credentials, so that a child trusts the same server.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const tls: RedisTlsOptions = { ca: readFileSync('/etc/redis/ca.pem', 'utf8') };
 * const q = new JoinableQueue<string>(0, { backend: redis('rediss://:secret@redis.internal:6380', { name: 'jobs', tls }) });
 * q.close();
 * ```
 */
export interface RedisTlsOptions {
  /** The CA certificate(s), PEM, that signed the server's certificate, trusted instead of Node's default CAs. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
}

/**
 * Where a queue lives when it lives in Redis: made by {@link redis}, passed as `backend` to `Queue`,
 * `JoinableQueue` or `queue()`. The URL with its password is kept off the object: printing it,
 * logging it or passing it to another process never shows the password.
 *
 * @example
 * ```ts
 * const backend: RedisBackend = redis('redis://app:secret@127.0.0.1:6379', { name: 'jobs' });
 * console.log(backend.name, backend.server); // jobs redis://app:***@127.0.0.1:6379
 * ```
 */
export class RedisBackend {
  /** The queue's name on the server. */
  readonly name: string;
  /** The server's URL with its password replaced by `***`. */
  readonly server: string;

  /** Use {@link redis}, which also keeps the URL and options this object is made for. */
  constructor(name: string, server: string) {
    this.name = name;
    this.server = server;
  }

  /** What `console.log` shows: the name and the redacted URL only. */
  [inspect.custom](): string {
    return `RedisBackend { name: '${this.name}', server: '${this.server}' }`;
  }

  /**
   * What `JSON.stringify` writes: the name and the redacted URL only.
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(redis('redis://app:secret@127.0.0.1:6379', { name: 'jobs' })));
   * // {"name":"jobs","server":"redis://app:***@127.0.0.1:6379"}
   * ```
   */
  toJSON(): Pick<RedisBackend, 'name' | 'server'> {
    return { name: this.name, server: this.server };
  }
}

/** What the library reads of a backend; kept off the object so that nothing prints or clones it. */
export interface RedisBackendSettings {
  readonly address: RedisAddress;
  readonly options: RedisBackendOptions;
}

/** The backend's URL (with its password) and options, for the queue that connects. */
export function settingsOf(backend: RedisBackend): RedisBackendSettings {
  const settings = SETTINGS.get(backend);
  if (!settings) throw new TypeError('Expected a backend made by redis(url, { name }).');
  return settings;
}

/** The engine's options for a queue of `maxsize` on this backend. */
export function engineOptions(settings: RedisBackendSettings, maxsize: number, joinable: boolean): RedisQueueOptions {
  return { ...settings.options, url: settings.address.url, maxsize, joinable };
}

/**
 * A queue backend in Redis (Streams with a consumer group): `new JoinableQueue(maxsize, { backend:
 * redis(url, { name }) })` is the same queue in every process and on every machine that uses the same
 * URL and name. Accepts `redis://[user[:password]@]host[:port][/db]` and `rediss://…` (TLS). The
 * options are checked now (a TypeError names the bad one, never the password); the connection is made
 * by the first queue that uses the backend. Needs the optional package `@redis/client`.
 *
 * `maxsize` bounds what Redis holds: items put and not yet done (taskDone), or, in a plain Queue, not
 * yet taken. `put` waits while it is reached, without polling Redis.
 *
 * @example
 * ```ts
 * const q = new JoinableQueue<string>(1000, { backend: redis('redis://127.0.0.1:6379', { name: 'jobs' }) });
 * await q.put('bread');
 * console.log(await q.get()); // 'bread', here or in any process that opened 'jobs'
 * q.taskDone();
 * await q.join();
 * q.close();
 * ```
 */
export function redis(url: string, options: RedisBackendOptions): RedisBackend {
  if (typeof url !== 'string') throw new TypeError(`Expected the Redis URL to be a string like redis://host:6379, got a ${typeof url}.`);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected the options of redis() to be an object with a \`name\`, got \`${String(options)}\` (${typeof options}).`);
  }
  if (typeof options.name !== 'string') throw new TypeError(`Expected \`name\` to be a string, got \`${String(options.name)}\` (${typeof options.name}).`);
  const address = parseRedisUrl(url);
  queueKeys(options.name);
  // Validated now, with the queue's own options filled in later: a bad option fails where it is written.
  resolveOptions({ ...options, url, consumer: 'check' });
  const tls = validateTls(options.tls);
  const backend = new RedisBackend(options.name, address.redacted);
  SETTINGS.set(backend, { address, options: tls ? { ...options, tls } : { ...options } });
  return backend;
}

// The TLS options with every CA as a PEM string: a Buffer would reach a worker thread as a Uint8Array.
function validateTls(tls: RedisTlsOptions | undefined): RedisTlsOptions | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null) throw new TypeError(`Expected \`tls\` to be an object like { ca }, got \`${String(tls)}\` (${typeof tls}).`);
  if (tls.ca === undefined) return {};
  const list: readonly unknown[] = Array.isArray(tls.ca) ? tls.ca : [tls.ca];
  const ca = list.map((pem) => {
    if (typeof pem !== 'string' && !Buffer.isBuffer(pem)) throw new TypeError(`Expected \`tls.ca\` to be PEM text (a string or Buffer, or an array of them), got a ${typeof pem}.`);
    return String(pem);
  });
  return { ca };
}

const SETTINGS = new WeakMap<RedisBackend, RedisBackendSettings>();

/**
 * A backend on the same server, with the same options, for the queue named `name` (a pipeline's
 * outcomes beside its items); `window` (entries one read takes) is the engine's, for the library's
 * own queues.
 */
export function siblingBackend(backend: RedisBackend, name: string, engine: { readonly window?: number } = {}): RedisBackend {
  const { address, options } = settingsOf(backend);
  queueKeys(name);
  const sibling = new RedisBackend(name, address.redacted);
  SETTINGS.set(sibling, { address, options: { ...options, ...engine, name } });
  return sibling;
}
