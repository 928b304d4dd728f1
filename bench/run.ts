// `npm run bench`: every workload of the library against its references, in one run on this machine,
// alternating them round by round (a slow phase of a shared machine then hits all of them), with a
// warm-up and ROUNDS measured rounds. Prints a table, writes bench/results/latest.json (every figure
// and ratio) and bench/results/ratios.svg. `--smoke` runs one small round (npm test uses it). The soak
// (10 M items per path, ~1 minute) can be run alone with `--only soak`. The Redis section (issue 21:
// ours on the Redis backend beside BullMQ, the raw Streams relay and Python's managers) runs alone
// with `--only redis` (writing bench/results/redis.json), and with small counts with `--smoke` too.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainModule, setStartMethod, type StartMethod } from 'rx-multiprocessing';
import { renderRatioChart, type RatioBar } from './chart.js';
import { describeNodeStartup, measureNodeStartup, uptime } from './environment.js';
import { runPingPong } from './refs/pingpong.js';
import { runDirectRelay } from './refs/direct-relay.js';
import { runRelay } from './refs/relay.js';
import { summarize, type Summary } from './stats.js';
import { runQueueRoundTrip } from './workloads/latency.js';
import { runMemoryBound } from './workloads/memory.js';
import { runQueuePipeline, runRxPipeline, type PipelineParams } from './workloads/pipeline.js';
import { runConsumePool, runWorkerpool } from './workloads/pool.js';
import { runSoak } from './workloads/soak.js';
import { runProcessStart, runRawForkStart } from './workloads/startup.js';
import { spareStartupWorkload } from './workloads/spare-startup.js';
import { runRedisSection } from './workloads/redis/section.js';
// issue 19: whole programs timed from outside, and Pool (v2) against piscina and workerpool.
import { BREAKDOWN_PHASES, CA_MODES, SEED_VARIANTS, e2eProgram, envFor, medianBreakdown, programVariant, seedWorkload, traceSeed, type Breakdown } from './workloads/e2e.js';
import { POOL_WORKERS, poolUnavailable, runMapPiscina, runMapPool, runMapWorkerpool, runOneOffPiscina, runOneOffPool, withoutExtraCaCerts } from './workloads/pool-v2.js';

interface Variant {
  readonly name: string;
  readonly run: () => Promise<number | undefined>;
  /** Why the variant gave no figure (an API not in this build), or how often it failed: in the table and the JSON. */
  readonly note?: () => string | undefined;
}

interface Workload {
  readonly key: string;
  readonly unit: string;
  readonly lowerIsBetter?: boolean;
  readonly ours: Variant[];
  readonly references: Variant[];
}

const SMOKE = process.argv.includes('--smoke');
// `--only pool,startup` runs the workloads whose key contains one of the words, prints their table
// and writes no files: for measuring one change without the 2-minute full run.
const ONLY = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',').filter(Boolean) : undefined;
const selected = (key: string): boolean => !ONLY || ONLY.some((word) => key.includes(word));
const ROUNDS = SMOKE ? 1 : Number(process.env['BENCH_ROUNDS'] ?? 5);
// `BENCH_START_METHOD=thread` runs the reactive workloads' producers and consumers in worker threads,
// for an A/B against the default ('spawn').
if (process.env['BENCH_START_METHOD']) setStartMethod(process.env['BENCH_START_METHOD'] as StartMethod);
const N_SMALL = SMOKE ? 2_000 : 200_000;
const N_1K = SMOKE ? 500 : 50_000;
const PYTHON = findPython();

function python(script: string, args: string[]): Record<string, number> | undefined {
  if (!PYTHON) return undefined;
  const path = fileURLToPath(new URL(`../py/${script}`, import.meta.url));
  const out = execFileSync(PYTHON, [path, ...args], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>;
}

function findPython(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import multiprocessing'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return undefined;
  }
}

function pipelineWorkload(size: 'small' | '1k', producers: number): Workload {
  const params: PipelineParams = { producers, n: size === 'small' ? N_SMALL : N_1K, size, maxsize: 1000 };
  const pyArgs = ['--producers', String(producers), '--size', size, '--n', String(params.n), '--maxsize', '1000'];
  let rxWithStartup: number | undefined;
  return {
    key: `pipeline.${size}.${producers}x2`,
    unit: 'items/s',
    ours: [
      { name: 'queue', run: () => runQueuePipeline(params) },
      {
        name: 'rx',
        run: async () => {
          const rates = await runRxPipeline(params, 'direct');
          rxWithStartup = rates.withStartup;
          return rates.steady;
        },
      },
      // The same run on the user's clock, children's start-up included: reported, no target.
      { name: 'rxWithStartup', run: async () => rxWithStartup },
      // With an operator between the producers and queue(), every item passes through this process.
      { name: 'rxGeneral', run: async () => (await runRxPipeline(params, 'general')).steady },
    ],
    references: [
      { name: 'Python', run: async () => python('joinable.py', pyArgs)?.['items_per_s'] },
      { name: 'Relay', run: () => runRelay({ n: params.n, batch: 100, size, producers }) },
      { name: 'RelayUnbatched', run: () => runRelay({ n: params.n, batch: 1, size, producers }) },
      // No broker at all: what a design where producers write straight to consumers could reach. No target.
      { name: 'RelayDirect', run: () => runDirectRelay({ n: params.n, batch: 100, size, producers }) },
    ],
  };
}

const LATENCY_N = SMOKE ? 200 : 5_000;
const roundTrip = { medianUs: 0, p99Us: 0 };
// The smoke run keeps two of the four pipeline shapes, one per item size and per producer count:
// the four are the same code with other parameters, and these two are the ones npm test checks.
const pipelineShapes: ['small' | '1k', number][] = SMOKE ? [['small', 1], ['1k', 3]] : [['small', 1], ['small', 3], ['1k', 1], ['1k', 3]];
const workloads: Workload[] = [
  ...pipelineShapes.map(([size, producers]) => pipelineWorkload(size, producers)),
  {
    key: 'latency.roundTrip',
    unit: 'µs (median)',
    lowerIsBetter: true,
    ours: [{ name: 'queue', run: async () => (await runQueueRoundTrip(LATENCY_N)).medianUs }],
    references: [
      { name: 'RawPingPong', run: async () => (await runPingPong(LATENCY_N)).medianUs },
      { name: 'Python', run: async () => python('pingpong.py', ['--n', String(LATENCY_N)])?.['median_us'] },
    ],
  },
  {
    key: 'latency.roundTripP99',
    unit: 'µs (p99)',
    lowerIsBetter: true,
    ours: [{ name: 'queue', run: async () => (Object.assign(roundTrip, await runQueueRoundTrip(LATENCY_N))).p99Us }],
    references: [{ name: 'RawPingPong', run: async () => (await runPingPong(LATENCY_N)).p99Us }],
  },
  {
    key: 'startup',
    unit: 'ms',
    lowerIsBetter: true,
    ours: [{ name: 'process', run: () => runProcessStart(SMOKE ? 2 : 10) }],
    references: [{ name: 'RawFork', run: () => runRawForkStart(SMOKE ? 2 : 10) }],
  },
  spareStartupWorkload(SMOKE),
  {
    key: 'pool',
    unit: 'tasks/s',
    ours: [{ name: 'consume', run: () => runConsumePool(SMOKE ? 8 : 400, 60_000) }],
    references: [{ name: 'Workerpool', run: () => runWorkerpool(SMOKE ? 8 : 400, 60_000) }],
  },
];

// --- issue 19: whole programs (e2e.seed.*) and Pool (v2) (pool.oneoff*, pool.map) ---------------
// The seed's shape as whole programs, each variant with NODE_EXTRA_CA_CERTS kept and dropped, against
// the same Python program; the smoke run keeps the code path with 200 items, without the CA bundle.
const CA_RUNS = SMOKE ? (['noCA'] as const) : CA_MODES;
const seedWorkloads = SMOKE ? [seedWorkload('2k', 200, PYTHON, CA_RUNS)] : [seedWorkload('2k', 2_000, PYTHON), seedWorkload('20k', 20_000, PYTHON), seedWorkload('200k', 200_000, PYTHON)];
const ONEOFF_CALLS = 100;
const MAP_ITEMS = SMOKE ? 40 : 2_000;
const poolVariant = (name: string, context: 'process' | 'thread', run: () => Promise<number | undefined>): Variant => ({ name, run, note: () => poolUnavailable(context) });
const oneOffProgram = (name: string, args: string[], ca: (typeof CA_MODES)[number]): Variant =>
  programVariant(name, process.execPath, [e2eProgram(args[0] as string), ...args.slice(1)], envFor(ca), String(ONEOFF_CALLS * (ONEOFF_CALLS - 1)));
workloads.push(
  ...seedWorkloads,
  {
    key: 'pool.oneoff',
    unit: `ms, ${ONEOFF_CALLS} sequential calls, pool started`,
    lowerIsBetter: true,
    ours: [poolVariant('process', 'process', () => runOneOffPool('process', ONEOFF_CALLS)), poolVariant('thread', 'thread', () => runOneOffPool('thread', ONEOFF_CALLS))],
    references: [{ name: 'Piscina', run: () => runOneOffPiscina(ONEOFF_CALLS) }],
  },
  ...CA_RUNS.map((ca) => ({
    key: `pool.oneoff.program.${ca}`,
    unit: `ms, whole program, ${ONEOFF_CALLS} calls`,
    lowerIsBetter: true,
    ours: [oneOffProgram('process', ['oneoff-pool.mjs', 'process'], ca), oneOffProgram('thread', ['oneoff-pool.mjs', 'thread'], ca)],
    references: [oneOffProgram('Piscina', ['oneoff-piscina.mjs'], ca)],
  })),
  {
    key: 'pool.map',
    unit: `items/s, ${POOL_WORKERS} workers, creation included`,
    ours: [
      poolVariant('process.withCA', 'process', () => runMapPool('process', MAP_ITEMS, 'cold')),
      poolVariant('process.noCA', 'process', () => withoutExtraCaCerts(() => runMapPool('process', MAP_ITEMS, 'cold'))),
      poolVariant('thread', 'thread', () => runMapPool('thread', MAP_ITEMS, 'cold')),
    ],
    references: [
      { name: 'Piscina', run: () => runMapPiscina(MAP_ITEMS, 'cold') },
      { name: 'WorkerpoolThread', run: () => runMapWorkerpool('thread', MAP_ITEMS, 'cold') },
      { name: 'WorkerpoolProcess.withCA', run: () => runMapWorkerpool('process', MAP_ITEMS, 'cold') },
      { name: 'WorkerpoolProcess.noCA', run: () => withoutExtraCaCerts(() => runMapWorkerpool('process', MAP_ITEMS, 'cold')) },
    ],
  },
  // The same with every worker up before the clock: dispatch and work only (no start-up, so no CA).
  {
    key: 'pool.map.warm',
    unit: `items/s, ${POOL_WORKERS} workers started`,
    ours: [poolVariant('process', 'process', () => runMapPool('process', MAP_ITEMS, 'warm')), poolVariant('thread', 'thread', () => runMapPool('thread', MAP_ITEMS, 'warm'))],
    references: [
      { name: 'Piscina', run: () => runMapPiscina(MAP_ITEMS, 'warm') },
      { name: 'WorkerpoolThread', run: () => runMapWorkerpool('thread', MAP_ITEMS, 'warm') },
      { name: 'WorkerpoolProcess', run: () => runMapWorkerpool('process', MAP_ITEMS, 'warm') },
    ],
  },
);

// The issue's targets: the seed's shape with NODE_EXTRA_CA_CERTS unset (most users' machines), one-off
// calls against piscina, map against piscina and workerpool (process context without the CA bundle).
function issue19Target(key: string): number | undefined {
  const seed = /^e2e\.seed\.(2k|20k|200k)\.[\w-]+\.noCA\.vsPython$/.exec(key);
  if (seed) return seed[1] === '200k' ? 0.5 : 1;
  if (/^pool\.oneoff\.(process|thread)\.vsPiscina$/.test(key)) return 1.5;
  if (/^pool\.map\.(process\.noCA|thread)\.vs(Piscina|WorkerpoolThread|WorkerpoolProcess\.noCA)$/.test(key)) return 1;
  if (/^pool\.map\.warm\.(process|thread)\.vs(Piscina|WorkerpoolThread|WorkerpoolProcess)$/.test(key)) return 1;
  return undefined;
}

// The headline keys the issue names, for our default (process) context: one-off calls on a started
// pool, and map without the CA bundle against each library's default (piscina and workerpool: threads).
const ISSUE19_HEADLINES: Record<string, string> = {
  'pool.oneoff.vsPiscina': 'pool.oneoff.process.vsPiscina',
  'pool.map.vsPiscina': 'pool.map.process.noCA.vsPiscina',
  'pool.map.vsWorkerpool': 'pool.map.process.noCA.vsWorkerpoolThread',
};

/** Where the 2k seed program's time goes, per variant and CA mode: the median of a few traced runs. */
async function seedBreakdowns(results: Record<string, unknown>, table: string[][]): Promise<void> {
  const seed = seedWorkloads[0];
  if (!seed || !selected(seed.key)) return;
  const n = SMOKE ? 200 : 2_000;
  const runs = SMOKE ? 1 : 3;
  // The smoke run traces the rx program only: a trace that fails is recorded as unavailable, so the
  // other variants' traces could not fail npm test; their untraced programs run in e2e.seed above.
  for (const variant of SMOKE ? (['rx'] as const) : SEED_VARIANTS) {
    for (const ca of CA_RUNS) {
      const key = `${seed.key}.breakdown.${variant}.${ca}`;
      if (seed.ours.find((v) => v.name === `${variant}.${ca}`)?.note()?.startsWith('unavailable') === true) continue;
      const traced: Breakdown[] = [];
      let failed: string | undefined;
      // A program that fails now and then gets a second chance per run; one that is unavailable, none.
      for (let i = 0; i < 2 * runs && traced.length < runs && !failed?.startsWith('unavailable'); i++) {
        progress(`${key} traced run ${traced.length + 1}/${runs}`);
        const result = await traceSeed(variant, n, ca);
        if (typeof result === 'string') failed = result;
        else traced.push(result);
      }
      if (traced.length === 0) {
        results[key] = { unavailable: failed };
        table.push([`${seed.key}.breakdown`, `${variant}.${ca}`, '—', '', failed ?? '']);
        continue;
      }
      const b = medianBreakdown(traced);
      results[key] = b;
      const phases = BREAKDOWN_PHASES.map((phase) => `${phase} ${b[phase].toFixed(0)}`).join(' · ');
      const children = `child node start ${b.childNodeStart.toFixed(0)}, boot→target ${b.childBootToTarget.toFixed(0)}, first item at ${b.firstItem.toFixed(0)}`;
      table.push([`${seed.key}.breakdown`, `${variant}.${ca}`, format(b.total), '', `ms: ${phases} (${children})`]);
    }
  }
}
// --- end of issue 19 -----------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const nodeStartup = measureNodeStartup(SMOKE ? 1 : 5);
  const results: Record<string, unknown> = {
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length, loadavg: loadavg(), uptime: uptime(), python: PYTHON ?? null, nodeStartup },
    rounds: ROUNDS,
    smoke: SMOKE,
  };
  const bars: RatioBar[] = [];
  const table: string[][] = [['workload', 'variant', 'median', 'min–max', 'unit']];
  for (const workload of workloads.filter((w) => selected(w.key))) {
    const variants = [...workload.ours.map((v) => ({ ...v, ours: true })), ...workload.references.map((v) => ({ ...v, ours: false }))];
    const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    // The smoke run checks that every workload runs, not its figures: no warm-up round.
    for (let round = SMOKE ? 0 : -1; round < ROUNDS; round++) {
      for (const variant of variants) {
        progress(`${workload.key} ${round < 0 ? 'warm-up' : `round ${round + 1}/${ROUNDS}`} ${variant.name}`);
        const value = await variant.run();
        if (round >= 0 && value !== undefined && Number.isFinite(value)) samples.get(variant.name)?.push(value);
      }
    }
    const summaries = new Map<string, Summary>();
    for (const [name, values] of samples) if (values.length > 0) summaries.set(name, summarize(values));
    for (const [name, summary] of summaries) {
      const note = variants.find((v) => v.name === name)?.note?.();
      results[`${workload.key}.${name}`] = note === undefined ? summary : { ...summary, note };
      table.push([workload.key, name, format(summary.median), `${format(summary.min)}–${format(summary.max)}`, note === undefined ? workload.unit : `${workload.unit}; ${note}`]);
    }
    for (const variant of variants) {
      const why = summaries.has(variant.name) ? undefined : variant.note?.();
      if (why === undefined) continue;
      results[`${workload.key}.${variant.name}`] = { unavailable: why };
      table.push([workload.key, variant.name, '—', '', why]);
    }
    for (const mine of workload.ours) {
      const ours = summaries.get(mine.name);
      for (const reference of workload.references) {
        const theirs = summaries.get(reference.name);
        if (!ours || !theirs) continue;
        // Variants named for NODE_EXTRA_CA_CERTS kept or dropped compare only with their own kind.
        const ca = (name: string): string | undefined => /\.(withCA|noCA)$/.exec(name)?.[1];
        if (ca(mine.name) && ca(reference.name) && ca(mine.name) !== ca(reference.name)) continue;
        const ratio = ours.median / theirs.median;
        const key = workload.ours.length > 1 ? `${workload.key}.${mine.name}.vs${reference.name}` : `${workload.key}.vs${reference.name}`;
        results[key] = ratio;
        const target = TARGETS[key.replace(/\.(queue|rx)\./, '.')] ?? issue19Target(key);
        // The chart keeps to the ratios with a target, and the distance to a broker-free design;
        // the table and the JSON have every ratio.
        if (target !== undefined || /\.(queue|rx)\.vsRelayDirect$/.test(key)) bars.push({ label: key, ratio, target, lowerIsBetter: workload.lowerIsBetter });
        table.push([key, '', `${ratio.toFixed(2)}×`, '', workload.lowerIsBetter ? 'lower is better' : 'higher is better']);
      }
    }
  }
  for (const [headline, key] of Object.entries(ISSUE19_HEADLINES)) if (results[key] !== undefined) results[headline] = results[key];
  await seedBreakdowns(results, table);
  if (selected('redis')) {
    // BullMQ and ioredis are installed on demand (bench/redis/): npm test's smoke run never does,
    // and `--only redis --smoke` is the Redis section's own quick check, references included.
    const redisReport = await runRedisSection({ smoke: SMOKE, rounds: ROUNDS, python: PYTHON, thirdParty: !SMOKE || ONLY !== undefined, progress });
    Object.assign(results, redisReport.results);
    table.push(...redisReport.rows);
    bars.push(...redisReport.bars);
    if (ONLY) writeResult('redis.json', `${JSON.stringify({ machine: results['machine'], rounds: ROUNDS, smoke: SMOKE, ...redisReport.results }, null, 2)}\n`);
  }
  // The soak runs once per path (its figure is a curve, not a rate to take the median of); the
  // smoke run keeps it small, so its code stays exercised. `--only soak` runs it alone.
  // Before the memory workload, which exposes gc() (see collectGarbage).
  const soakN = SMOKE ? 20_000 : Number(process.env['BENCH_SOAK_N'] ?? 10_000_000);
  for (const path of ['direct', 'general'] as const) {
    const key = `soak.${path}`;
    if (!selected(key)) continue;
    progress(`soak: ${soakN.toLocaleString('en-US')} items on the ${path} path, RSS sampled every 0.5 s`);
    const soak = await runSoak(soakN, path);
    results[key] = soak;
    const shape = `${soak.n.toLocaleString('en-US')} items in ${soak.seconds.toFixed(0)} s, start ${soak.startRssMb.toFixed(0)}, end ${soak.endRssMb.toFixed(0)} MB`;
    table.push([key, 'parent RSS peak', soak.peakRssMb.toFixed(0), shape, 'MB']);
    table.push([key, 'RSS growth, 2nd half', soak.growthSecondHalfMb.toFixed(1), 'last sample − mid-run sample', 'MB']);
    table.push([key, 'rate', format(soak.itemsPerS), 'children\'s start-up included', 'items/s']);
  }
  // The curves go to a file of their own, with --only too: a soak is run alone to look at them.
  const soaks = Object.fromEntries(Object.entries(results).filter(([key]) => key.startsWith('soak.')));
  if (Object.keys(soaks).length > 0) writeResult('soak.json', `${JSON.stringify(soaks, null, 2)}\n`);
  // The issue's shape is 1M items from a producer 100x faster than its consumer. At 100x (a consumer
  // spending 100 µs an item, ~10k items/s) 1M items would take over 100 s of the 5-minute budget, so
  // the bound is shown twice: 1M items against a consumer spending 10 µs an item (the producer ~10x
  // faster), and 100k items at the full 100x.
  const memoryRuns = [
    { key: 'memory', n: SMOKE ? 5_000 : 1_000_000, busyUs: SMOKE ? 1 : 10 },
    { key: 'memory.slow100x', n: SMOKE ? 2_000 : 100_000, busyUs: SMOKE ? 10 : 100 },
  ];
  for (const run of memoryRuns.filter((r) => selected(r.key))) {
    progress(`memory bound: ${run.n} items, consumer ${run.busyUs} µs an item`);
    const memory = await runMemoryBound(run.n, 1000, run.busyUs);
    results[run.key] = memory;
    const shape = `${memory.n.toLocaleString('en-US')} items, ${run.busyUs} µs/item`;
    table.push([run.key, 'max buffered', String(memory.maxBuffered), `maxsize ${memory.maxsize}`, 'items']);
    table.push([run.key, 'owner RSS growth', memory.rssGrowthMb.toFixed(1), `peak ${memory.peakRssMb.toFixed(0)} MB, ${shape}`, 'MB']);
    table.push([run.key, 'RSS growth, 2nd half', memory.rssGrowthSecondHalfMb.toFixed(1), 'peak of 2nd half − of 1st', 'MB']);
    table.push([run.key, 'consumer rate', format(memory.consumerItemsPerS), '', 'items/s']);
  }
  results['seconds'] = (Date.now() - started) / 1000;
  process.stderr.write('\r\x1b[K');

  if (ONLY) {
    for (const line of formatTable(table)) console.log(line);
    console.log(`\n${describeNodeStartup(nodeStartup)}`);
    console.log(`${ROUNDS} round(s) of ${ONLY.join(', ')} in ${results['seconds'] as number} s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; no files written (--only) but soak.json and redis.json, if they ran`);
    return;
  }
  writeResult('latest.json', `${JSON.stringify(results, null, 2)}\n`);
  writeResult('ratios.svg', renderRatioChart(bars, `rx-multiprocessing / reference (median of ${ROUNDS}; green = target met)`));
  const lines = formatTable(table);
  writeResult('latest.txt', `${lines.join('\n')}\n`);
  for (const line of lines) console.log(line);
  console.log(`\n${describeNodeStartup(nodeStartup)}`);
  console.log(`${ROUNDS} round(s) in ${results['seconds'] as number} s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; wrote bench/results/latest.json, latest.txt and ratios.svg`);
}

// Targets from the benchmark issue, by ratio key (the variant name removed).
const TARGETS: Record<string, number> = {
  'pipeline.small.1x2.vsPython': 4,
  'pipeline.small.3x2.vsPython': 4,
  'pipeline.1k.1x2.vsPython': 2,
  'pipeline.1k.3x2.vsPython': 2,
  'pipeline.small.1x2.vsRelay': 0.85,
  'pipeline.small.3x2.vsRelay': 0.85,
  'pipeline.1k.1x2.vsRelay': 0.85,
  'pipeline.1k.3x2.vsRelay': 0.85,
  'latency.roundTrip.vsRawPingPong': 1.3,
  'startup.vsRawFork': 1.2,
  'pool.vsWorkerpool': 1,
};

function writeResult(name: string, text: string): void {
  const dir = process.env['BENCH_OUT'] ?? fileURLToPath(new URL('../results/', import.meta.url));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
}

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K… ${text}`);
  else process.stderr.write(`… ${text}\n`);
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function formatTable(rows: string[][]): string[] {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c >= 2 && c <= 3 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number))).join('  ').trimEnd());
}

if (isMainModule(import.meta.url)) await main();
