// Soak: millions of items through one Rx pipeline while this process samples its own RSS. A leak
// per item, or per batch, shows as growth over the run's second half, after the heap has sized itself.
import { runRxPipeline, type RxPath } from './pipeline.js';

export interface RssSample {
  /** Seconds since the pipeline was subscribed. */
  readonly s: number;
  readonly rssMb: number;
}

export interface SoakResult {
  readonly path: RxPath;
  readonly n: number;
  readonly seconds: number;
  readonly itemsPerS: number;
  readonly startRssMb: number;
  readonly peakRssMb: number;
  readonly endRssMb: number;
  /** Last sample minus the one at mid-run: what went on growing once the run had warmed up. */
  readonly growthSecondHalfMb: number;
  readonly samples: readonly RssSample[];
}

/** `n` small items, one producer and two consumers, on `path`; RSS sampled every `everyMs`. */
export async function runSoak(n: number, path: RxPath, everyMs = 500): Promise<SoakResult> {
  const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  const t0 = performance.now();
  const samples: RssSample[] = [];
  const sample = (): void => {
    samples.push({ s: Math.round(performance.now() - t0) / 1000, rssMb: mb(process.memoryUsage().rss) });
  };
  sample();
  const sampler = setInterval(sample, everyMs);
  try {
    await runRxPipeline({ producers: 1, n, size: 'small', maxsize: 1000 }, path);
  } finally {
    clearInterval(sampler);
  }
  sample();
  const seconds = (performance.now() - t0) / 1000;
  const start = samples[0] as RssSample;
  const end = samples[samples.length - 1] as RssSample;
  const middle = samples.find((s) => s.s >= end.s / 2) ?? start;
  return {
    path,
    n,
    seconds,
    itemsPerS: n / seconds,
    startRssMb: start.rssMb,
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
    endRssMb: end.rssMb,
    growthSecondHalfMb: Math.round((end.rssMb - middle.rssMb) * 10) / 10,
    samples,
  };
}
