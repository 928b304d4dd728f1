// What this machine charges every Node process before it runs a line of code. Every fork in the
// benchmark pays it, ours and the references' alike, and Python's forked children do not; so it is
// measured and reported with the figures rather than hidden in them.
import { execFileSync, spawnSync } from 'node:child_process';
import { summarize } from './stats.js';

export interface NodeStartup {
  /** Median wall time of `node -e 0`, in this process's environment. */
  readonly medianMs: number;
  /** NODE_EXTRA_CA_CERTS, if set: Node 20 parses that bundle at every start, before V8 starts. */
  readonly nodeExtraCaCerts?: string;
  /** The same median without NODE_EXTRA_CA_CERTS. */
  readonly withoutExtraCaCertsMs?: number;
}

export function measureNodeStartup(runs: number): NodeStartup {
  const extraCaCerts = process.env['NODE_EXTRA_CA_CERTS'];
  const medianMs = medianStart(process.env, runs);
  if (!extraCaCerts) return { medianMs };
  const withoutExtraCaCerts = { ...process.env };
  delete withoutExtraCaCerts['NODE_EXTRA_CA_CERTS'];
  return { medianMs, nodeExtraCaCerts: extraCaCerts, withoutExtraCaCertsMs: medianStart(withoutExtraCaCerts, runs) };
}

export function describeNodeStartup(startup: NodeStartup): string {
  if (Number.isNaN(startup.medianMs)) return 'Node start-up here: not measured (`node -e 0` failed).';
  const base = `Node start-up here: \`node -e 0\` takes ${startup.medianMs.toFixed(0)} ms`;
  if (startup.withoutExtraCaCertsMs === undefined) return `${base}.`;
  return (
    `${base}, ${startup.withoutExtraCaCertsMs.toFixed(0)} ms without NODE_EXTRA_CA_CERTS ` +
    `(${startup.nodeExtraCaCerts}, parsed at every start). Every Node child in these figures pays it, ours and the references'.`
  );
}

// NaN if a start fails: its time would not be a start-up's.
function medianStart(env: NodeJS.ProcessEnv, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const started = spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
    if (started.error || started.status !== 0) return Number.NaN;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarize(times).median;
}

/** The machine's load as `uptime` prints it, recorded beside the figures: a shared machine's figures need it. */
export function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown (no uptime command)';
  }
}
