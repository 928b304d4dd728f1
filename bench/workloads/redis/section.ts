// The Redis section of `npm run bench` (issue 21's targets): ours and the references side by side, in
// one run, on one throwaway redis-server (and a second one with AOF everysec for its cost), round by
// round in rotating order. Returns the JSON entries (`redis.*`), the table's rows and the chart's bars.
import type { RatioBar } from '../../chart.js';
import { uptime } from '../../environment.js';
import { summarize, type Summary } from '../../stats.js';
import { redisVariants, type RedisVariant } from './cases.js';
import { runReclaim, UNSEEN_DEAD_AFTER_MS } from './reclaim.js';
import { RedisAdmin, type RedisCost } from './redis-cost.js';
import { ensureReferenceDeps, REFERENCE_INSTALL } from './reference-deps.js';
import { redisUnavailable, startServer, type BenchRedisServer } from './server.js';

export interface RedisSectionOptions {
  readonly smoke: boolean;
  readonly rounds: number;
  readonly python: string | undefined;
  /** Run BullMQ and the raw Streams relay (installing their clients when missing); off in npm test's smoke run. */
  readonly thirdParty: boolean;
  readonly progress: (text: string) => void;
}

export interface RedisSectionReport {
  readonly results: Record<string, unknown>;
  readonly rows: string[][];
  readonly bars: RatioBar[];
}

interface Measured {
  readonly rates: number[];
  readonly costs: RedisCost[];
  readonly failures: string[];
}

export async function runRedisSection(options: RedisSectionOptions): Promise<RedisSectionReport> {
  const results: Record<string, unknown> = {};
  const rows: string[][] = [];
  const bars: RatioBar[] = [];
  const skipped = await redisUnavailable();
  if (skipped) {
    results['redis'] = { skipped };
    rows.push(['redis', '', '—', '', skipped]);
    return { results, rows, bars };
  }
  const thirdPartyUnavailable = options.thirdParty ? ensureReferenceDeps(options.progress) : `not run in the smoke run (\`--only redis --smoke\` runs it; needs \`${REFERENCE_INSTALL}\`)`;
  const caseOptions = { smoke: options.smoke, python: options.python, thirdPartyUnavailable };
  // npm test's smoke run keeps one shape (the four are the same code with other parameters), and of
  // it the pipeline and the reclaim of a child: the suite's time is the budget, and the other cases
  // are the same code with other parameters or servers (`--only redis --smoke` runs them all).
  const inSuite = options.smoke && !options.thirdParty;
  const shapes: ['small' | '1k', number][] = inSuite ? [['small', 1]] : [['small', 1], ['small', 3], ['1k', 1], ['1k', 3]];
  results['redis.uptime.before'] = uptime();
  const servers: BenchRedisServer[] = [];
  const admins: RedisAdmin[] = [];
  try {
    const plain = await startServer(false);
    servers.push(plain);
    const aof = inSuite ? plain : await startServer(true);
    if (aof !== plain) servers.push(aof);
    const byServer = { plain: { server: plain, admin: await RedisAdmin.connect(plain.url) }, aof: { server: aof, admin: await RedisAdmin.connect(aof.url) } };
    admins.push(byServer.plain.admin, byServer.aof.admin);
    results['redis.server'] = { version: plain.version, aof: 'appendonly yes, appendfsync everysec, dir on the temp dir' };
    for (const [size, producers] of shapes) {
      const key = `redis.${size}.${producers}x2`;
      const variants = redisVariants(size, producers, caseOptions).map((v) =>
        inSuite && v.name !== 'pipeline' && v.unavailable === undefined ? { ...v, unavailable: "not run in npm test's smoke run (`--only redis --smoke` runs it)" } : v,
      );
      const measured = new Map<string, Measured>(variants.map((v) => [v.name, { rates: [], costs: [], failures: [] }]));
      const runnable = variants.filter((v) => v.unavailable === undefined);
      for (let round = options.smoke ? 0 : -1; round < options.rounds; round++) {
        // Each round starts one variant later: no variant always runs first, on a fresh server.
        const order = runnable.map((_, i) => runnable[(i + Math.max(round, 0)) % runnable.length] as RedisVariant);
        for (const variant of order) {
          options.progress(`${key} ${round < 0 ? 'warm-up' : `round ${round + 1}/${options.rounds}`} ${variant.name}`);
          const { admin, server } = byServer[variant.server];
          const m = measured.get(variant.name) as Measured;
          // A case that fails now and then (a reference's crash, a timeout) is counted and the run goes
          // on: one failure must not cost the other cases' figures, nor hide.
          const outcome = await admin.measure(variant.n, () => variant.run(server.url)).catch((error: unknown) => {
            m.failures.push(error instanceof Error ? error.message : String(error));
            return undefined;
          });
          if (round < 0 || outcome?.result === undefined) continue;
          m.rates.push(outcome.result);
          m.costs.push(outcome.cost);
        }
      }
      report(key, variants, measured, results, rows, bars);
    }
    for (const kind of inSuite ? (['child'] as const) : (['child', 'unseen'] as const)) {
      const trials = options.smoke ? 1 : kind === 'child' ? RECLAIM_TRIALS : UNSEEN_TRIALS;
      const ms: number[] = [];
      for (let t = 0; t < trials; t++) {
        options.progress(`redis.reclaim.${kind} ${t + 1}/${trials}: a consumer ${kind === 'child' ? 'child' : 'no bench process is the parent of'} SIGKILLed holding items`);
        ms.push(await runReclaim(plain.url, kind));
      }
      const reclaim = summarize(ms);
      const target = kind === 'child' ? RECLAIM_TARGET_MS : UNSEEN_DEAD_AFTER_MS + 2_000;
      const what = kind === 'child' ? 'kill -9 of a consumer child (its parent sees the exit)' : `kill -9 of a consumer seen by no parent (deadAfter ${UNSEEN_DEAD_AFTER_MS} ms)`;
      results[`redis.reclaim.${kind}`] = { ...reclaim, unit: 'ms from SIGKILL to another consumer holding the items', target };
      rows.push([`redis.reclaim.${kind}`, 'joinable', reclaim.median.toFixed(1), `${reclaim.min.toFixed(1)}–${reclaim.max.toFixed(1)}`, `ms, ${what} -> another has its items (target <= ${target})`]);
    }
  } finally {
    await Promise.all(admins.map((a) => a.close()));
    await Promise.all(servers.map((s) => s.stop()));
  }
  results['redis.uptime.after'] = uptime();
  return { results, rows, bars };
}

// One shape's summaries, costs, ratios (ours / theirs, the primary's also as the headline
// `redis.<shape>.vs<Ref>`) and AOF cost, into the JSON, the table and the chart.
function report(key: string, variants: readonly RedisVariant[], measured: ReadonlyMap<string, Measured>, results: Record<string, unknown>, rows: string[][], bars: RatioBar[]): void {
  const summaries = new Map<string, Summary>();
  for (const variant of variants) {
    const m = measured.get(variant.name) as Measured;
    const failed = m.failures.length > 0 ? `${m.failures.length} run(s) failed, first: ${m.failures[0] as string}` : undefined;
    if (m.rates.length === 0) {
      const why = variant.unavailable ?? failed ?? 'no run gave a figure';
      results[`${key}.${variant.name}`] = { unavailable: why };
      rows.push([key, variant.name, '—', '', why]);
      continue;
    }
    const summary = summarize(m.rates);
    summaries.set(variant.name, summary);
    const cost: { redisCpuUsPerItem?: number; commandsPerItem?: number; commandsByName?: Readonly<Record<string, number>> } = variant.noRedis
      ? {}
      : {
          redisCpuUsPerItem: summarize(m.costs.map((c) => c.cpuUsPerItem)).median,
          commandsPerItem: summarize(m.costs.map((c) => c.commandsPerItem)).median,
          commandsByName: (m.costs.at(-1) as RedisCost).byCommand,
        };
    results[`${key}.${variant.name}`] = { ...summary, n: variant.n, ...cost, ...(failed ? { note: failed } : {}) };
    const costNote = cost.redisCpuUsPerItem === undefined ? '' : `; Redis ${cost.redisCpuUsPerItem.toFixed(2)} µs, ${(cost.commandsPerItem as number).toFixed(3)} commands per item`;
    const unit = variant.kind === 'program' ? 'items/s over the whole program, spawn to exit' : 'items/s';
    if (variant.kind === 'program') (results[`${key}.${variant.name}`] as Record<string, unknown>)['ms'] = (variant.n / summary.median) * 1000;
    rows.push([key, variant.name, format(summary.median), `${format(summary.min)}–${format(summary.max)}`, `${unit}, ${variant.n.toLocaleString('en-US')} items${costNote}${failed ? `; ${failed}` : ''}`]);
  }
  const ours = variants.filter((v) => v.ours && v.server === 'plain');
  const primary = ours[0]?.name;
  for (const mine of ours) {
    for (const reference of variants.filter((v) => !v.ours && v.kind === mine.kind)) {
      const a = summaries.get(mine.name);
      const b = summaries.get(reference.name);
      if (!a || !b) continue;
      const ratio = a.median / b.median;
      const target = TARGETS[reference.name];
      results[`${key}.${mine.name}.vs${reference.name}`] = ratio;
      if (mine.name === primary) {
        results[`${key}.vs${reference.name}`] = ratio;
        if (target !== undefined) bars.push({ label: `${key}.vs${reference.name}`, ratio, target });
      }
      rows.push([`${key}.${mine.name}.vs${reference.name}`, '', `${ratio.toFixed(2)}×`, '', target === undefined ? 'higher is better' : `target >= ${target}×`]);
    }
  }
  // The primary's Redis cost as a headline too (issue 21: <= 1 µs of Redis CPU per small item).
  const primaryResult = primary ? (results[`${key}.${primary}`] as { redisCpuUsPerItem?: number; commandsPerItem?: number } | undefined) : undefined;
  if (primaryResult?.redisCpuUsPerItem !== undefined) {
    results[`${key}.redisCpuUsPerItem`] = primaryResult.redisCpuUsPerItem;
    results[`${key}.commandsPerItem`] = primaryResult.commandsPerItem;
    const target = key.startsWith('redis.small.') ? ` (target <= ${CPU_TARGET_US} µs)` : '';
    rows.push([`${key}.redisCpuUsPerItem`, primary as string, primaryResult.redisCpuUsPerItem.toFixed(2), '', `µs of redis-server CPU per item, INFO cpu sys + user${target}`]);
  }
  const plain = primary ? summaries.get(primary) : undefined;
  const aof = primary ? summaries.get(`${primary}.aof`) : undefined;
  if (plain && aof) {
    const cost = 1 - aof.median / plain.median;
    results[`${key}.aofCost`] = cost;
    rows.push([`${key}.aofCost`, primary as string, `${(cost * 100).toFixed(1)} %`, '', `1 − AOF everysec / no AOF items/s (target <= ${AOF_TARGET * 100} %)`]);
  }
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

// Issue 21's targets, by reference: ours / theirs, items/s.
const TARGETS: Record<string, number> = { BullMQ: 10, RawStreams: 0.5, Python: 20 };
const AOF_TARGET = 0.15;
const CPU_TARGET_US = 1;
const RECLAIM_TARGET_MS = 100;
const RECLAIM_TRIALS = 10;
// Each waits out the heartbeat deadline (seconds).
const UNSEEN_TRIALS = 3;
