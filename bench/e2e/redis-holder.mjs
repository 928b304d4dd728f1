// A consumer no process of the bench is the parent of, as on another machine: opens the Redis queue
// named in argv (URL in RXMP_BENCH_REDIS_URL), takes `n` items, says so on stdout, and holds them,
// none done, until it is killed. Only the queue's heartbeat deadline can tell the others it died.
// `node bench/e2e/redis-holder.mjs NAME N DEAD_AFTER_MS`
import { JoinableQueue, redis } from 'rx-multiprocessing';

const [name = '', n = '1', deadAfter = '1000'] = process.argv.slice(2);
const jobs = new JoinableQueue(0, { backend: redis(process.env.RXMP_BENCH_REDIS_URL ?? '', { name, deadAfter: Number(deadAfter) }) });
for (let i = 0; i < Number(n); i++) await jobs.get();
console.log('held');
setInterval(() => {}, 60_000);
