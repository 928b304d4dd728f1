// Queue hand-off throughput: 1 producer child -> JoinableQueue(maxsize) owned by the main process ->
// 2 daemon consumer children (get + taskDone), until q.join(). Runs alternately with Python's
// multiprocessing.JoinableQueue doing the same (shared/bench-baseline/py_joinable.py) when python3
// and that script are present. Compiled library, plain node:
//   npm run build && node bench/queue-throughput.mjs [--size small|1k] [--runs 5] [--maxsize 1000]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JoinableQueue, Process, isMainModule } from 'rx-multiprocessing';

const PAD_1K = 'x'.repeat(1016);
const COUNTS = { small: 200_000, '1k': 50_000 };

export async function producer(q, go, size, n) {
  await go.get();
  if (size === 'small') for (let i = 0; i < n; i++) await q.put(`item${i}`);
  else for (let i = 0; i < n; i++) await q.put(`${PAD_1K}${String(i).padStart(8, '0')}`);
}

export async function consumer(q, ready) {
  await ready.put(true);
  for (;;) {
    await q.get();
    q.taskDone();
  }
}

async function runOnce(size, maxsize) {
  const n = COUNTS[size];
  const q = new JoinableQueue(maxsize);
  const ready = new JoinableQueue();
  const go = new JoinableQueue();
  const consumers = [0, 1].map(() => new Process({ target: consumer, args: [q, ready], daemon: true }));
  consumers.forEach((c) => c.start());
  const p = new Process({ target: producer, args: [q, go, size, n] });
  const tStart = process.hrtime.bigint();
  p.start();
  await ready.get();
  await ready.get();
  const t0 = process.hrtime.bigint();
  await go.put(true);
  await p.join();
  await q.join();
  const t1 = process.hrtime.bigint();
  consumers.forEach((c) => c.terminate());
  await Promise.all(consumers.map((c) => c.join()));
  return { itemsPerS: n / (Number(t1 - t0) / 1e9), itemsPerSInclStart: n / (Number(t1 - tStart) / 1e9) };
}

function runPython(size, maxsize) {
  const script = fileURLToPath(new URL('../../shared/bench-baseline/py_joinable.py', import.meta.url));
  if (!existsSync(script)) return undefined;
  try {
    const out = execFileSync('python3', [script, '--size', size, '--maxsize', String(maxsize)], { encoding: 'utf8' });
    const line = JSON.parse(out.trim().split('\n').pop());
    return line.results[0].items_per_s;
  } catch {
    return undefined;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

if (isMainModule(import.meta.url)) {
  const size = arg('size', 'small');
  const runs = Number(arg('runs', 5));
  const maxsize = Number(arg('maxsize', 1000));
  await runOnce(size, maxsize); // warm-up
  const ours = [];
  const oursInclStart = [];
  const python = [];
  for (let r = 0; r < runs; r++) {
    const result = await runOnce(size, maxsize);
    ours.push(result.itemsPerS);
    oursInclStart.push(result.itemsPerSInclStart);
    const py = runPython(size, maxsize);
    if (py !== undefined) python.push(py);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const summary = {
    size,
    maxsize,
    runs,
    itemsPerS: Math.round(median(ours)),
    min: Math.round(Math.min(...ours)),
    max: Math.round(Math.max(...ours)),
    itemsPerSInclProducerStart: Math.round(median(oursInclStart)),
    python: python.length ? Math.round(median(python)) : null,
  };
  summary.vsPython = summary.python ? +(summary.itemsPerS / summary.python).toFixed(2) : null;
  console.log(JSON.stringify(summary));
}
