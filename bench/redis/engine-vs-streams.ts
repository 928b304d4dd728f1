// First throughput figures of the Redis queue engine (src/queue/redis) beside the raw batched
// Streams relay of ../shared/bench-baseline/redis, on one throwaway redis-server, alternating cases.
//
//   cp -r ../shared/bench-baseline/redis /tmp/bb && cd /tmp/bb && npm install
//   # the baseline connects without a password: give its three `new Redis({ host: '127.0.0.1', port`
//   # (lib/cases.mjs, streams/*.mjs) `password: process.env.REDIS_PASSWORD`
//   node --import tsx bench/redis/engine-vs-streams.ts /tmp/bb [rounds] [case,case…]
//
// Cases (items/s, clock from 'go' to the last acknowledged item):
//   streams-batch-*-1x2  the baseline's raw relay: XADD of 100-item entries, 2 XREADGROUP+XACK consumers
//   engine-*-1x2         openRedisQueue: 1 producer process putMany, 2 consumer processes getMany+taskDone
//   engine-*-solo        one process: putMany, getMany, taskDone, until join()
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { startRedisServer } from '../../scripts/redis-server.js';
import { openRedisQueue } from '../../src/queue/redis/redis-queue.js';
import { connectRedis } from '../../src/queue/redis/redis-link.js';
import { parseRedisUrl } from '../../src/queue/redis/redis-url.js';

const [baseline = '/tmp/bb', roundsArg = '3', only] = process.argv.slice(2);
const rounds = Number(roundsArg);
const roles = fileURLToPath(new URL('./engine-roles.ts', import.meta.url));
const { runCase } = (await import(`${baseline}/lib/harness.mjs`)) as { runCase: (o: object) => Promise<{ items_per_s: number; client_cpu_s: number | null }> };
const { streams } = (await import(`${baseline}/lib/cases.mjs`)) as { streams: (o: object) => Promise<{ items_per_s: number; client_cpu_s: number | null }> };
const { slices } = (await import(`${baseline}/lib/items.mjs`)) as { slices: (n: number, parts: number) => [number, number][] };

const server = await startRedisServer();
process.env.REDIS_PASSWORD = server.password;
const admin = await connectRedis(parseRedisUrl(server.url), { reconnectTimeout: 5000 });
// redis-server's own CPU (user + sys, s), from INFO cpu: the design's per-item Redis cost.
async function redisCpu(): Promise<number> {
  const info = String(await admin.call(['INFO', 'cpu']));
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}
// Redis commands per 1000 items, from INFO commandstats: where the round trips go.
async function commandCalls(): Promise<Map<string, number>> {
  const info = String(await admin.call(['INFO', 'commandstats']));
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) calls.set(m[1] as string, Number(m[2]));
  return calls;
}
const ITEMS: Record<string, number> = {};
const BATCH = { encoding: 'batch', batch: 100, count: 10, pipeline: 10 };

async function engineRelay(n: number, size: string, producers: number, maxsize: number, window: number) {
  const name = `bench-${Date.now()}`;
  const common = { url: server.url, name, size, window, maxsize, chunk: 1000 };
  return runCase({
    label: `engine ${size} ${producers}->2`,
    n,
    consumers: [0, 1].map(() => [roles, { ...common, role: 'consumer', from: 0, to: 0 }]),
    producers: slices(n, producers).map(([from, to]) => [roles, { ...common, role: 'producer', from, to }]),
  });
}

async function engineSolo(n: number, size: string) {
  const name = `bench-solo-${Date.now()}`;
  const writer = await openRedisQueue<string>({ url: server.url, name, maxsize: 10_000 });
  const reader = await openRedisQueue<string>({ url: server.url, name, window: 10 });
  const pad = 'x'.repeat(1016);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const produce = (async () => {
    for (let start = 0; start < n; start += 1000) {
      const items: string[] = [];
      for (let i = start; i < Math.min(n, start + 1000); i++) items.push(size === '1k' ? pad + String(i).padStart(8, '0') : `item${i}`);
      await writer.putMany(items);
    }
  })();
  let got = 0;
  while (got < n) {
    const items = await reader.getMany(Infinity, 5000);
    got += items.length;
    reader.taskDone(items.length);
  }
  await produce;
  await writer.join();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await writer.destroy();
  await reader.close();
  return { items_per_s: n / seconds, client_cpu_s: (cpu.user + cpu.system) / 1e6 };
}

const CASES: Record<string, () => Promise<{ items_per_s: number; client_cpu_s: number | null }>> = {
  'streams-batch-small-1x2': () => streams({ port: server.port, n: 200_000, size: 'small', ...BATCH }),
  'engine-small-1x2-max1000': () => engineRelay(200_000, 'small', 1, 1000, 2),
  'engine-small-1x2-unbounded': () => engineRelay(200_000, 'small', 1, 0, 10),
  'engine-small-3x2-max1000': () => engineRelay(200_000, 'small', 3, 1000, 2),
  'engine-small-solo': () => engineSolo(200_000, 'small'),
  'streams-batch-1k-1x2': () => streams({ port: server.port, n: 50_000, size: '1k', ...BATCH }),
  'engine-1k-1x2-max1000': () => engineRelay(50_000, '1k', 1, 1000, 2),
  'engine-1k-1x2-unbounded': () => engineRelay(50_000, '1k', 1, 0, 10),
  'engine-1k-solo': () => engineSolo(50_000, '1k'),
};

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const results: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
const redisCost: Record<string, number[]> = {};
const commands: Record<string, Record<string, number>[]> = {};
for (const name of Object.keys(CASES)) ITEMS[name] = name.includes('-1k-') ? 50_000 : 200_000;
console.log(`redis-server ${server.version} pid ${server.pid}; ${uptime()}`);
try {
  const names = Object.keys(CASES).filter((name) => !only || only.split(',').includes(name));
  for (let r = -1; r < rounds; r++) {
    // Round -1 warms up (discarded); each round starts one case later, so no case always runs first.
    const order = names.map((_, i) => names[(i + Math.max(r, 0)) % names.length] as string);
    for (const name of order) {
      const before = await redisCpu();
      const callsBefore = await commandCalls();
      const res = await (CASES[name] as () => Promise<{ items_per_s: number; client_cpu_s: number | null }>)();
      const redisUs = ((await redisCpu()) - before) * 1e6 / (ITEMS[name] as number);
      const perK: Record<string, number> = {};
      for (const [cmd, n] of await commandCalls()) {
        const delta = n - (callsBefore.get(cmd) ?? 0);
        if (delta > 0 && !['info', 'flushall'].includes(cmd)) perK[cmd] = +((delta * 1000) / (ITEMS[name] as number)).toFixed(1);
      }
      (commands[name] ??= []).push(perK);
      if (r < 0) {
        console.log(`warm-up ${name}: ${Math.round(res.items_per_s)} items/s`);
        continue;
      }
      (results[name] ??= []).push(res.items_per_s);
      (redisCost[name] ??= []).push(redisUs);
      if (res.client_cpu_s !== null) (cpu[name] ??= []).push(res.client_cpu_s);
      console.log(`round ${r + 1} ${name}: ${Math.round(res.items_per_s)} items/s`);
    }
  }
} finally {
  admin.close();
  await server.stop();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
console.log(uptime());
for (const [name, xs] of Object.entries(results)) {
  console.log(JSON.stringify({ case: name, median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), clientCpuS: cpu[name] ? +median(cpu[name]).toFixed(2) : null, redisCpuUsPerItem: +median(redisCost[name] ?? [0]).toFixed(3), commandsPer1000Items: commands[name]?.at(-1) }));
}
