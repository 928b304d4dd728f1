import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withExtraCaCerts } from '../environment.js';
import { ROOT } from '../helpers.js';

// Keeps `npm run bench` from rotting: one small round of every workload, compiled as the real run
// is. It asserts only that the run completes and writes its figures — speed is not tested here.
describe('npm run bench (smoke)', function () {
  this.timeout(180_000);
  let out: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'rxmp-bench-smoke-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('should run one round of every workload and write the JSON, the table and the chart', () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'bench/tsconfig.json')], { cwd: ROOT });
    execFileSync(process.execPath, [join(ROOT, 'bench/dist/run.js'), '--smoke'], {
      cwd: ROOT,
      // The bench measures start-up with and without the suite's NODE_EXTRA_CA_CERTS (see environment.ts).
      env: withExtraCaCerts({ ...process.env, BENCH_OUT: out }),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 170_000,
    });
    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['pipeline.small.1x2.queue', 'pipeline.small.1x2.rx', 'pipeline.1k.3x2.rx', 'pipeline.1k.3x2.RelayDirect', 'latency.roundTrip.queue', 'startup.process', 'pool.consume', 'soak.direct', 'soak.general', 'memory', 'memory.slow100x']) {
      expect(results, key).to.have.property(key);
    }
    // Whole programs (issue 19): the seed's shape (the full run adds NODE_EXTRA_CA_CERTS kept), with
    // its breakdown; Pool and thread-context variants give a figure or say why not (not in this build).
    for (const key of ['e2e.seed.2k.rx.noCA', 'e2e.seed.2k.rx-split.noCA', 'e2e.seed.2k.joinable.noCA', 'pool.oneoff.Piscina', 'pool.oneoff.program.noCA.Piscina', 'pool.map.Piscina', 'pool.map.WorkerpoolThread']) {
      expect(results[key], key).to.have.property('median').that.is.above(0);
    }
    for (const key of ['e2e.seed.2k.pool.noCA', 'e2e.seed.2k.pool-split.noCA', 'e2e.seed.2k.thread.noCA', 'e2e.seed.2k.thread-split.noCA', 'e2e.seed.2k.forkserver.noCA', 'pool.oneoff.process', 'pool.oneoff.thread', 'pool.map.process.noCA', 'pool.map.thread']) {
      expect(results[key], key).to.satisfy((r: { median?: number; unavailable?: string }) => r.median !== undefined || r.unavailable !== undefined);
    }
    // The Redis section (issue 21): ours on a throwaway redis-server, or the reason it was skipped
    // (no redis-server); BullMQ and the raw Streams relay are never installed by npm test.
    if (results['redis'] === undefined) {
      for (const key of ['redis.small.1x2.pipeline', 'redis.reclaim.child']) expect(results[key], key).to.have.property('median').that.is.above(0);
      expect(results['redis.small.1x2.BullMQ'], 'BullMQ').to.have.property('unavailable');
    } else expect(results['redis']).to.have.property('skipped').that.matches(/apt-get install -y redis-server/);
    expect(results['e2e.seed.2k.breakdown.rx.noCA'], 'breakdown').to.have.property('nodeStart').that.is.above(0);
    expect((results['memory'] as { maxBuffered: number }).maxBuffered).to.be.at.most(1000);
    const { nodeStartup } = results['machine'] as { nodeStartup: { medianMs: number; withoutExtraCaCertsMs?: number } };
    expect(nodeStartup.medianMs).to.be.above(0);
    if (withExtraCaCerts(process.env)['NODE_EXTRA_CA_CERTS']) expect(nodeStartup.withoutExtraCaCertsMs).to.be.above(0);
    expect(readFileSync(join(out, 'ratios.svg'), 'utf8')).to.match(/^<svg/);
    expect(readFileSync(join(out, 'latest.txt'), 'utf8')).to.match(/^workload +variant +median/);
  });
});
