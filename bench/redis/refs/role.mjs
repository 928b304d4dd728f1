// The side of bench/workloads/redis/roles.ts that runs in each reference process: says it is ready,
// runs its producer on 'go', reports a consumer's count of done items at most once per event-loop
// turn, and stops on 'stop'. The server's URL (with its password) comes in the environment, never
// on the command line, which every user can read with ps.
export const url = new URL(process.env.RXMP_BENCH_REDIS_URL ?? '');
export const args = JSON.parse(process.argv[2] ?? '{}');

/** ioredis/BullMQ connection options for the bench's server. */
export const connection = { host: url.hostname, port: Number(url.port), password: decodeURIComponent(url.password) || undefined, maxRetriesPerRequest: null };

export function ready({ go, stop }) {
  process.on('message', async (m) => {
    if (m?.go && go) {
      await go();
      process.send({ produced: true });
    }
    if (m?.stop) {
      await stop?.();
      process.exit(0);
    }
  });
  process.send({ ready: true });
}

/** Coalesces a consumer's count into one IPC message per event-loop turn. */
export function doneCounter() {
  let done = 0;
  let scheduled = false;
  const report = () => {
    scheduled = false;
    process.send({ done });
  };
  return (k) => {
    done += k;
    if (!scheduled) {
      scheduled = true;
      setImmediate(report);
    }
  };
}
