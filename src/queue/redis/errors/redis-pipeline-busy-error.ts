import { RedisBackendError } from './redis-backend-error.js';

/**
 * A pipeline of the same name is already running on this Redis (its process is alive: it keeps the
 * name's `run` key fresh). Two runs under one name would take each other's items.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * export function double(n: number): number { return n * 2; }
 * if (isMainModule(import.meta.url)) {
 *   const backend = redis('redis://127.0.0.1:6379', { name: 'bakery' });
 *   from([1, 2]).pipe(queue({ backend }), consume(double)).subscribe({
 *     error: (err: unknown) => {
 *       if (err instanceof RedisPipelineBusyError) console.error(`${err.pipeline} is running elsewhere`);
 *     },
 *   });
 * }
 * ```
 */
export class RedisPipelineBusyError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_PIPELINE_BUSY' as const;
  /** The pipeline's name. */
  readonly pipeline: string;

  constructor(server: string, pipeline: string) {
    super(
      server,
      'BUSY',
      `A pipeline named '${pipeline}' is already running on Redis at ${server}. Give this one another name in redis(url, { name }), ` +
        'or wait for that one to end (a pipeline whose process died is forgotten after its keyTtl).',
    );
    this.pipeline = pipeline;
  }
}
