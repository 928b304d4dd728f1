// Reference: a raw child_process.fork relay written without the library — the transport limit.
// `producers` children (the workload's shape) send items (JSON IPC, `batch` items per message, only
// within credit, which the parent shares among them), the parent holds at most `maxsize` items and
// forwards batches to 2 consumer children (window 256 items each), which acknowledge what they
// processed once per event-loop turn. The clock stops at the N-th ack.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeItem } from '../stats.js';

type Msg = { t: 'go'; from: number; n: number; batch: number; size: 'small' | '1k' } | { t: 'credit'; n: number } | { t: 'items'; items: string[] } | { t: 'ack'; n: number };

export async function runRelay(options: { n: number; batch: number; size: 'small' | '1k'; producers?: number; maxsize?: number }): Promise<number> {
  const maxsize = options.maxsize ?? 1000;
  const window = 256;
  const self = fileURLToPath(import.meta.url);
  const spawnRole = (role: string): ChildProcess => fork(self, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const per = Math.ceil(options.n / (options.producers ?? 1));
  const shares = Array.from({ length: options.producers ?? 1 }, (_, p) => ({ from: p * per, n: Math.max(0, Math.min(options.n, (p + 1) * per) - p * per) }));
  const producers = shares.map(() => spawnRole('producer'));
  const consumers = [spawnRole('consumer'), spawnRole('consumer')];
  await Promise.all([...producers, ...consumers].map((c) => new Promise((resolve) => c.once('message', resolve))));
  const buffer: string[][] = [];
  let buffered = 0;
  let outstandingCredit = 0;
  // Per producer: the items it has yet to be granted credit for.
  const ungranted = shares.map((share) => share.n);
  const inflight = [0, 0];
  let acked = 0;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const pump = (): void => {
      for (let c = 0; c < consumers.length && buffer.length > 0; c++) {
        while (buffer.length > 0 && (inflight[c] as number) < window) {
          const batch = buffer.shift() as string[];
          buffered -= batch.length;
          inflight[c] = (inflight[c] as number) + batch.length;
          consumers[c]?.send({ t: 'items', items: batch } satisfies Msg);
        }
      }
      let free = maxsize - buffered - outstandingCredit;
      if (free < Math.min(maxsize / 4, options.batch)) return;
      const wanting = producers.map((_, p) => p).filter((p) => (ungranted[p] as number) > 0);
      const each = Math.ceil(free / Math.max(1, wanting.length));
      for (const p of wanting) {
        const n = Math.min(each, free, ungranted[p] as number);
        if (n <= 0) continue;
        free -= n;
        outstandingCredit += n;
        ungranted[p] = (ungranted[p] as number) - n;
        producers[p]?.send({ t: 'credit', n } satisfies Msg);
      }
    };
    producers.forEach((producer) =>
      producer.on('message', (m: Msg) => {
        if (m.t !== 'items') return;
        outstandingCredit -= m.items.length;
        buffer.push(m.items);
        buffered += m.items.length;
        pump();
      }),
    );
    consumers.forEach((c, index) =>
      c.on('message', (m: Msg) => {
        if (m.t !== 'ack') return;
        acked += m.n;
        inflight[index] = (inflight[index] as number) - m.n;
        if (acked >= options.n) {
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          for (const child of [...producers, ...consumers]) child.kill();
          resolve(options.n / seconds);
          return;
        }
        pump();
      }),
    );
    producers.forEach((producer, p) => producer.send({ t: 'go', ...(shares[p] as { from: number; n: number }), batch: options.batch, size: options.size } satisfies Msg));
    pump();
  });
}

async function producerRole(): Promise<void> {
  let credit = 0;
  let wake: (() => void) | undefined;
  let go: Extract<Msg, { t: 'go' }> | undefined;
  process.on('message', (m: Msg) => {
    if (m.t === 'go') go = m;
    if (m.t === 'credit') credit += m.n;
    wake?.();
  });
  process.send?.({ t: 'ready' });
  while (!go) await new Promise<void>((r) => (wake = r));
  let sent = 0;
  let sends = 0;
  while (sent < go.n) {
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    const count = Math.min(go.batch, credit, go.n - sent);
    const items = Array.from({ length: count }, (_, i) => makeItem(go!.size, go!.from + sent + i));
    credit -= count;
    sent += count;
    // Every 32nd send waits for its callback, so libuv's write queue stays short.
    if (++sends % 32 === 0) await new Promise<void>((r) => process.send?.({ t: 'items', items } satisfies Msg, undefined, undefined, () => r()));
    else process.send?.({ t: 'items', items } satisfies Msg);
  }
}

function consumerRole(): void {
  let pending = 0;
  let scheduled = false;
  process.on('message', (m: Msg) => {
    if (m.t !== 'items') return;
    for (const item of m.items) if (item.length < 0) throw new Error('unreachable');
    pending += m.items.length;
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        process.send?.({ t: 'ack', n: pending } satisfies Msg);
        pending = 0;
      });
    }
  });
  process.send?.({ t: 'ready' });
}

const role = process.argv[2];
if (role === 'producer') void producerRole();
else if (role === 'consumer') consumerRole();
