// Reference: the pipeline with no broker, written without the library — the transport limit of a
// design where producers write straight to consumers. Each of the 2 consumer children listens on a
// Unix socket; every producer child connects to both and writes batches (v8 structured clone,
// length-prefixed) to whichever has credit. A consumer grants a batch of credit back for each batch
// it processed and counts to the parent once per event-loop turn; the clock stops at the N-th item.
// It has none of a queue's duties: no taskDone or join, no redelivery when a consumer dies, no
// bound shared across consumers beyond the credit (at most `maxsize` items in flight).
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { makeItem } from '../stats.js';

type Msg =
  | { t: 'listening'; path: string }
  | { t: 'connect'; paths: string[]; from: number; n: number; batch: number; window: number; size: 'small' | '1k' }
  | { t: 'ready' }
  | { t: 'go' }
  | { t: 'count'; n: number };

export async function runDirectRelay(options: { n: number; batch: number; size: 'small' | '1k'; producers: number; maxsize?: number }): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const spawnRole = (role: string): ChildProcess => fork(self, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const consumers = [spawnRole('consumer'), spawnRole('consumer')];
  const producers = Array.from({ length: options.producers }, () => spawnRole('producer'));
  try {
    const paths = await Promise.all(consumers.map((c) => nextMessage(c).then((m) => (m as Extract<Msg, { t: 'listening' }>).path)));
    const per = Math.ceil(options.n / options.producers);
    // Batches in flight per producer-consumer connection, so that all of them hold at most maxsize items.
    const window = Math.max(1, Math.floor((options.maxsize ?? 1000) / (options.producers * consumers.length * options.batch)));
    const ready = producers.map((p) => nextMessage(p));
    producers.forEach((p, i) => {
      const from = i * per;
      p.send({ t: 'connect', paths, from, n: Math.max(0, Math.min(options.n, from + per) - from), batch: options.batch, window, size: options.size } satisfies Msg);
    });
    await Promise.all(ready);
    let counted = 0;
    const t0 = process.hrtime.bigint();
    const done = new Promise<number>((resolve) => {
      for (const c of consumers) {
        c.on('message', (m: Msg) => {
          if (m.t !== 'count') return;
          counted += m.n;
          if (counted >= options.n) resolve(options.n / (Number(process.hrtime.bigint() - t0) / 1e9));
        });
      }
    });
    for (const p of producers) p.send({ t: 'go' } satisfies Msg);
    return await done;
  } finally {
    await Promise.all([...producers, ...consumers].map(stop));
  }
}

function nextMessage(child: ChildProcess): Promise<Msg> {
  return new Promise((resolve) => child.once('message', resolve));
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

function consumerRole(): void {
  const path = join(tmpdir(), `rxmp-bench-direct-${process.pid}.sock`);
  rmSync(path, { force: true });
  let pending = 0;
  let scheduled = false;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    readFrames(socket, (body) => {
      const items = deserialize(body) as string[];
      for (const item of items) if (item.length < 0) throw new Error('unreachable');
      socket.write(ONE_BATCH);
      pending += items.length;
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        process.send?.({ t: 'count', n: pending } satisfies Msg);
        pending = 0;
      });
    });
  });
  server.listen(path, () => process.send?.({ t: 'listening', path } satisfies Msg));
  process.on('SIGTERM', () => {
    rmSync(path, { force: true });
    process.exit(0);
  });
}

function readFrames(socket: Socket, onFrame: (body: Buffer) => void): void {
  let buffered: Buffer = EMPTY;
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length > 0 ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 4) {
      const length = buffered.readUInt32LE(0);
      if (buffered.length < 4 + length) break;
      onFrame(buffered.subarray(4, 4 + length));
      buffered = buffered.subarray(4 + length);
    }
  });
}

async function producerRole(): Promise<void> {
  const setup = await new Promise<Extract<Msg, { t: 'connect' }>>((resolve) => process.once('message', resolve));
  const sockets = await Promise.all(
    setup.paths.map(
      (path) =>
        new Promise<Socket>((resolve) => {
          const socket = connect(path, () => resolve(socket));
          socket.on('error', () => {});
        }),
    ),
  );
  const credit = sockets.map(() => setup.window);
  let wake: (() => void) | undefined;
  sockets.forEach((socket, i) =>
    socket.on('data', (grants: Buffer) => {
      credit[i] = (credit[i] as number) + grants.length;
      wake?.();
    }),
  );
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send?.({ t: 'ready' } satisfies Msg);
  await go;
  let next = 0;
  for (let sent = 0; sent < setup.n; ) {
    let target = -1;
    for (;;) {
      for (let k = 0; k < sockets.length && target < 0; k++) if ((credit[(next + k) % sockets.length] as number) > 0) target = (next + k) % sockets.length;
      if (target >= 0) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const count = Math.min(setup.batch, setup.n - sent);
    const items = Array.from({ length: count }, (_, i) => makeItem(setup.size, setup.from + sent + i));
    sent += count;
    credit[target] = (credit[target] as number) - 1;
    next = target + 1;
    const body = serialize(items);
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeUInt32LE(body.length, 0);
    const socket = sockets[target] as Socket;
    socket.cork();
    socket.write(prefix);
    socket.write(body);
    socket.uncork();
  }
}

const EMPTY: Buffer = Buffer.alloc(0);
const ONE_BATCH = Buffer.from([1]);

const role = process.argv[2];
if (role === 'producer') void producerRole();
else if (role === 'consumer') consumerRole();
