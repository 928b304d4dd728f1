// Memory bound: a producer far faster than its consumer. The owner's buffer must stay within
// maxsize, and its RSS within maxsize x item size + 20 MB, however many items pass.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { JoinableQueue, Process } from 'rx-multiprocessing';

export async function flood(q: JoinableQueue<string>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await q.put(`item${i}`);
}

export async function slowConsumer(q: JoinableQueue<string>, busyUs: number): Promise<void> {
  for (;;) {
    await q.get();
    const until = process.hrtime.bigint() + BigInt(busyUs * 1000);
    while (process.hrtime.bigint() < until);
    q.taskDone();
  }
}

export interface MemoryResult {
  readonly n: number;
  readonly maxsize: number;
  readonly maxBuffered: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly rssGrowthMb: number;
  /**
   * Peak RSS of the run's second half minus that of its first half. Early growth is V8 enlarging its
   * heap (the young generation grows from 1 to 16 MB semi-spaces under allocation) — a fixed cost;
   * buffering that grew with the items passed would show here.
   */
  readonly rssGrowthSecondHalfMb: number;
  readonly consumerItemsPerS: number;
}

export async function runMemoryBound(n: number, maxsize: number, busyUs: number): Promise<MemoryResult> {
  const q = new JoinableQueue<string>(maxsize);
  const consumer = new Process({ target: slowConsumer, args: [q, busyUs], daemon: true });
  const producer = new Process({ target: flood, args: [q, n] });
  collectGarbage();
  const baseline = process.memoryUsage().rss;
  let maxBuffered = 0;
  const samples: { at: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    samples.push({ at: performance.now(), rss: process.memoryUsage().rss });
    maxBuffered = Math.max(maxBuffered, q.qsize());
  }, 10);
  consumer.start();
  producer.start();
  const t0 = process.hrtime.bigint();
  await producer.join();
  await q.join();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  consumer.terminate();
  await consumer.join();
  const mb = (bytes: number): number => bytes / 2 ** 20;
  const peakOf = (list: { rss: number }[]): number => list.reduce((peak, sample) => Math.max(peak, sample.rss), baseline);
  const first = samples[0]?.at ?? 0;
  const middle = first + (performance.now() - first) / 2;
  const peakRss = peakOf(samples);
  const firstHalfPeak = peakOf(samples.filter((sample) => sample.at <= middle));
  return {
    n,
    maxsize,
    maxBuffered,
    baselineRssMb: mb(baseline),
    peakRssMb: mb(peakRss),
    rssGrowthMb: mb(peakRss - baseline),
    rssGrowthSecondHalfMb: mb(peakRss - firstHalfPeak),
    consumerItemsPerS: n / seconds,
  };
}

// A full collection before the baseline is read. Exposed here, at run time, rather than by running the
// bench with --expose-gc: children inherit their parent's flags, and a V8 flag on the command line
// makes Node reject its built-in code cache, which slowed every one of our children's start-up by
// ~10 ms (workerpool, which drops the parent's flags, was spared: pool 0.95-0.96x with the flag,
// 0.99-1.01x without). The memory workload runs last, so no other workload sees the flag.
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

