// Marks for the whole-program breakdown: with RXMP_E2E_TRACE set, each mark is one JSON line on
// stderr with this process's pid (and thread id, in a worker), its start (performance.timeOrigin)
// and the time, both in epoch ms, so the harness can lay the parent's and the children's marks on
// one clock. Unset (every timed run), a mark is one boolean test.
const TRACING = process.env.RXMP_E2E_TRACE === '1';
// Read only when tracing, so the timed runs load nothing more than the program itself.
const threadId = TRACING ? process.getBuiltinModule('node:worker_threads').threadId : 0;

export function mark(event) {
  if (!TRACING) return;
  const t = performance.timeOrigin + performance.now();
  process.stderr.write(`${JSON.stringify({ rxmpMark: event, pid: threadId === 0 ? process.pid : `${process.pid}:${threadId}`, origin: performance.timeOrigin, t })}\n`);
}

export const tracing = TRACING;
