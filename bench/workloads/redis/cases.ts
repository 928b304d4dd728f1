// The variants of one shape of the Redis section (producers -> 2 consumers, small or 1 KiB items):
// ours on the library's Redis backend, and the references, each with its item count and server.
import { redis } from 'rx-multiprocessing';
import { runQueuePipeline, runRxPipeline } from '../pipeline.js';
import { chunkedProducer } from './ours-targets.js';
import { runOurProgram, runPythonProgram } from './programs.js';
import { runBullMQ, runPythonManagers, runRawStreams, type Shape } from './references.js';

export interface RedisVariant {
  readonly name: string;
  readonly ours: boolean;
  /** The plain server, or the one with AOF `appendfsync everysec`. */
  readonly server: 'plain' | 'aof';
  readonly n: number;
  /** items/s of one run; undefined when the variant cannot run here (see `unavailable`). */
  readonly run: (url: string) => Promise<number | undefined>;
  readonly unavailable?: string;
  /** A reference that does not use Redis (Python's managers serve their own queue): no Redis cost to report. */
  readonly noRedis?: true;
  /** 'program': a whole program timed from outside (spawn to exit), compared only with its kind. */
  readonly kind?: 'program';
}

export interface CaseOptions {
  readonly smoke: boolean;
  readonly python: string | undefined;
  /** Why BullMQ and the raw Streams relay do not run (their clients not installed), or undefined. */
  readonly thirdPartyUnavailable: string | undefined;
}

/** Ours first: the first is the primary, the one the headline ratios and the AOF cost use. */
export function redisVariants(size: 'small' | '1k', producers: number, options: CaseOptions): RedisVariant[] {
  const scale = (full: number, smoke: number): Shape => ({ size, producers, n: options.smoke ? smoke : full });
  // As the local bench: 200k small and 50k 1 KiB items where a case moves >= 100k items/s; fewer where
  // it makes ~10k (BullMQ, Python) or ~2k (a put awaited per item): a steady rate within seconds, and
  // a full run of the section in minutes, not an hour.
  const fast = size === 'small' ? scale(200_000, 2_000) : scale(50_000, 500);
  const slow = size === 'small' ? scale(30_000, 1_000) : scale(10_000, 400);
  const slowest = size === 'small' ? scale(10_000, 1_000) : scale(4_000, 400);
  const joinable = (shape: Shape, chunked: boolean) => (url: string) =>
    runQueuePipeline({
      ...shape,
      maxsize: MAXSIZE,
      backend: redis(url, { name: `bench-${process.pid}-${Date.now()}` }),
      ...(chunked ? { producerTarget: chunkedProducer } : {}),
    });
  // mergeProducers(producer(gen)…).pipe(queue({ maxsize, backend }), consume(handler, { processes: 2 })):
  // clocked from every child up to completion, as the local bench's rx pipeline.
  const pipeline = (shape: Shape) => async (url: string) =>
    (await runRxPipeline({ ...shape, maxsize: MAXSIZE, backend: redis(url, { name: `bench-${process.pid}-${Date.now()}` }) }, 'direct')).steady;
  const thirdParty = options.thirdPartyUnavailable;
  return [
    { name: 'pipeline', ours: true, server: 'plain', n: fast.n, run: pipeline(fast) },
    // JoinableQueue + Process, the producer putting 1,000 items per await (one entry per 100).
    { name: 'joinable', ours: true, server: 'plain', n: fast.n, run: joinable(fast, true) },
    // The local bench's producer: every put awaited, so every item is its own entry and round trip.
    { name: 'joinablePerPut', ours: true, server: 'plain', n: slowest.n, run: joinable(slowest, false) },
    // The primary's cost of AOF everysec (a second server).
    { name: 'pipeline.aof', ours: true, server: 'aof', n: fast.n, run: pipeline(fast) },
    { name: 'BullMQ', ours: false, server: 'plain', n: slow.n, run: (url) => runBullMQ(url, slow), ...(thirdParty ? { unavailable: thirdParty } : {}) },
    { name: 'RawStreams', ours: false, server: 'plain', n: fast.n, run: (url) => runRawStreams(url, fast), ...(thirdParty ? { unavailable: thirdParty } : {}) },
    {
      name: 'Python',
      ours: false,
      noRedis: true,
      server: 'plain',
      n: slow.n,
      run: () => runPythonManagers(options.python, slow),
      ...(options.python ? {} : { unavailable: 'unavailable: no python3 with multiprocessing' }),
    },
    // The seed's shape (3 -> 2, small items) as whole programs: what a user's clock sees.
    ...(size === 'small' && producers === 3 ? programs(options) : []),
  ];
}

function programs(options: CaseOptions): RedisVariant[] {
  const n = options.smoke ? 300 : 5_000;
  const python = options.python;
  return [
    { name: 'pipeline.program', ours: true, kind: 'program', server: 'plain', n, run: (url) => runOurProgram('redis-rx.mjs', url, n) },
    { name: 'joinable.program', ours: true, kind: 'program', server: 'plain', n, run: (url) => runOurProgram('redis-joinable.mjs', url, n) },
    {
      name: 'Python.program',
      ours: false,
      kind: 'program',
      noRedis: true,
      server: 'plain',
      n,
      run: async () => (python ? runPythonProgram(python, n) : undefined),
      ...(python ? {} : { unavailable: 'unavailable: no python3 with multiprocessing' }),
    },
  ];
}

const MAXSIZE = 1000;
