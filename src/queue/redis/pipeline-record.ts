import { decodeRecord, encodeRecord } from './entry-codec.js';
import { EntrySignatureError } from './errors/entry-signature-error.js';
import { RedisPipelineBusyError } from './errors/redis-pipeline-busy-error.js';
import { KEY_PREFIX, queueKeys } from './keys.js';
import { connectRedis, type RedisLink } from './redis-link.js';
import { settingsOf, siblingBackend, type RedisBackend } from './redis.js';
import { resolveOptions, type Settings } from './redis-queue-options.js';

/**
 * What a running pipeline tells the workers that join it from other machines: which export of
 * their own module to run on its items (never a path: a worker imports only the module named on
 * its command line), with what arguments, and the queues that carry items and outcomes.
 */
export interface PipelineDescription {
  /** Changes with every run of the same name: a worker serves one run at a time. */
  readonly run: string;
  readonly handler: string;
  readonly args: readonly unknown[];
  readonly initializer: string | null;
  readonly initargs: readonly unknown[];
  readonly maxsize: number;
  /** The queue of numbered items (its outcome stream beside it), and the one remote producers put into. */
  readonly items: string;
  readonly intake: string;
  /** Producers started with `rx-multiprocessing producer` that the run waits for. */
  readonly remoteProducers: number;
  /** A producer silent this long is gone (its own heartbeat keeps its key). */
  readonly deadAfter: number;
}

/** What a remote producer puts into a run's intake queue: hello, its items in order, and bye. */
export type IntakeMessage = { readonly p: string; readonly hello: true } | { readonly p: string; readonly item: unknown } | { readonly p: string; readonly bye: true };

/** The key a remote producer keeps alive (PX deadAfter) while it produces for a run. */
export function producerKey(name: string, producer: string): string {
  queueKeys(name);
  return `${KEY_PREFIX}{${name}}:producer:${producer}`;
}

/**
 * The backend a pipeline's items queue is opened with, by its process and by workers: each consumer
 * reads two entries at a time, so the second is there when it finishes the first (entries are sized
 * to a few milliseconds of work, so that is all it holds).
 */
export function pipelineItemsBackend(backend: RedisBackend, items: string): RedisBackend {
  return siblingBackend(backend, items, { window: 2 });
}

/** A connection of its own to `backend`'s server, with the backend's options resolved: for the pipeline's record and the commands. */
export async function connectBackend(backend: RedisBackend): Promise<{ readonly link: RedisLink; readonly settings: Settings; readonly redacted: string }> {
  const { address, options } = settingsOf(backend);
  const settings = resolveOptions({ ...options, url: address.url });
  const link = await connectRedis(address, { reconnectTimeout: settings.reconnectTimeout, tls: options.tls });
  return { link, settings, redacted: address.redacted };
}

/** The Redis key that says a pipeline of this name is running, and what it runs. */
export function runKey(name: string): string {
  queueKeys(name);
  return `${KEY_PREFIX}{${name}}:run`;
}

/**
 * A pipeline's hold on its name in Redis: its description, under a key that expires `keyTtl` after
 * the pipeline's process stops refreshing it (killed, say), as the queues' keys do.
 */
export class PipelineRecord {
  readonly #link: RedisLink;
  readonly #key: string;
  readonly #ttl: number;
  readonly #wipe: readonly string[];
  readonly #refresh: NodeJS.Timeout;
  #ended = false;

  private constructor(link: RedisLink, key: string, ttl: number, heartbeat: number, wipe: readonly string[]) {
    this.#link = link;
    this.#key = key;
    this.#ttl = ttl;
    this.#wipe = wipe;
    this.#refresh = setInterval(() => void this.#link.call(['PEXPIRE', this.#key, String(this.#ttl)]).catch(() => {}), heartbeat);
    this.#refresh.unref();
  }

  /**
   * Takes the name for a run described by `description`, or fails with RedisPipelineBusyError when
   * a live pipeline holds it. What an earlier run of the name left (its process killed) is removed:
   * items nobody will read the outcomes of would take room in the new run's queue.
   */
  static async claim(backend: RedisBackend, description: PipelineDescription): Promise<PipelineRecord> {
    const { link, settings, redacted } = await connectBackend(backend);
    try {
      const key = runKey(backend.name);
      const claimed = await link.call(['SET', key, encodeRecord(description, settings.authkey), 'NX', 'PX', String(settings.keyTtl)]);
      if (claimed === null) throw new RedisPipelineBusyError(redacted, backend.name);
      const wipe = [...queueKeys(description.items).all, ...queueKeys(description.intake).all];
      await link.call(['UNLINK', ...wipe]);
      return new PipelineRecord(link, key, settings.keyTtl, settings.heartbeat, wipe);
    } catch (error) {
      link.close();
      throw error;
    }
  }

  /** Which of `producers` (remote producers' ids) no longer keep their key alive: dead, or cut off. */
  async silentProducers(name: string, producers: readonly string[]): Promise<string[]> {
    const silent: string[] = [];
    for (const producer of producers) if (Number(await this.#link.call(['EXISTS', producerKey(name, producer)])) === 0) silent.push(producer);
    return silent;
  }

  /** The run is over: its keys and its queues' keys are removed, for workers to see it ended. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#refresh);
    try {
      await this.#link.call(['UNLINK', this.#key, ...this.#wipe]);
    } catch {
      // Redis is gone: the keys expire by themselves.
    } finally {
      this.#link.close();
    }
  }
}

/**
 * Reads what pipeline `name` runs now, if one does, for a worker: checked against the authkey
 * before it is deserialised, as entries are (EntrySignatureError otherwise).
 */
export async function readPipeline(link: RedisLink, name: string, authkey: Buffer | undefined): Promise<PipelineDescription | undefined> {
  const record = await link.call(['GET', runKey(name)]);
  if (record === null || !Buffer.isBuffer(record)) return undefined;
  const decoded = decodeRecord<PipelineDescription>(record, authkey);
  if (!decoded.ok) throw new EntrySignatureError(name, 'run', decoded.reason === 'malformed' ? 'wrong signature' : decoded.reason);
  return decoded.items[0];
}
