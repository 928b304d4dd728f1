// Runs a TypeScript program as its own node process (`node --import tsx`, as a user would) under a
// process limit, and watches every process it starts, for tests of code that could fork without end.
// The program runs as `nobody` where this machine allows it: RLIMIT_NPROC counts the processes (and
// threads) of the real user, and binds neither root nor a limit shared with the test runner's own.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, isPidAlive, waitFor } from './helpers.js';

/** Whether programs can run as user `nobody` here (root, with setpriv); else they run as this user. */
export const AS_NOBODY = canRunAsNobody();

/** What a program did, as seen from outside. */
export interface LimitedRun {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when the program was killed: it outlived the deadline, or a grandchild appeared. */
  readonly ended: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Every node process seen under the program, by pid: 1 for its children, 2 for theirs, … */
  readonly generations: ReadonlyMap<number, number>;
  /** Pids of its descendants still alive once it has ended and they were given a moment to follow. */
  readonly leftAlive: readonly number[];
  /** What was seen of each grandchild: pid, parent, threads and command line. */
  readonly grandchildren: readonly string[];
}

/**
 * Runs `script` under a limit of `maxTasks` processes and threads (a node process under tsx has
 * 12-16 threads), for at most `deadlineMs`. The program's process group is killed at the deadline,
 * or as soon as a grandchild appears: that is already the failure, and a fork bomb should not run on.
 */
export async function runLimited(script: string, options: { maxTasks: number; deadlineMs: number }): Promise<LimitedRun> {
  const home = mkdtempSync(join(tmpdir(), 'rxmp-limited-'));
  const pidLog = join(home, 'pids.log');
  try {
    if (AS_NOBODY) chownSync(home, NOBODY_UID, NOBODY_GID);
    const limit = AS_NOBODY ? options.maxTasks : countTasksOf(process.getuid?.() ?? 0) + options.maxTasks;
    const asUser = AS_NOBODY ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'] : [];
    const child = spawn('bash', ['-c', `ulimit -u ${limit} && exec "$@"`, 'bash', ...asUser, process.execPath, '--import', 'tsx', script], {
      cwd: ROOT,
      // Its own process group: a fork bomb is ended with one signal, whatever it reparented.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // tsx caches compiled files under TMPDIR; nobody needs one it may write to.
      env: { ...process.env, HOME: home, TMPDIR: home, RXMP_PID_LOG: pidLog },
    });
    running.add(child);
    return await watch(child, pidLog, options.deadlineMs);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** For afterEach: kills what a run left, should an assertion have failed before it ended. */
export function killLeftovers(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

async function watch(child: ChildProcess, pidLog: string, deadlineMs: number): Promise<LimitedRun> {
  const pid = child.pid as number;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  // The output is complete once every process that shares the program's stdout and stderr is gone.
  const closed = new Promise((resolve) => child.once('close', resolve));
  const sightings = new Map<number, Sighting>();
  const generations = new Map<number, number>();
  const grandchildren: string[] = [];
  let ended = true;
  // /proc is polled, since nothing tells an outside observer of a fork; a node child lives at least
  // the ~60 ms node takes to start, far longer than a turn of this loop.
  const poller = setInterval(() => {
    for (const [descendant, seen] of scanTree(pid)) {
      const sighting = sightings.get(descendant) ?? { depth: seen.depth, threaded: false, otherwise: false };
      sighting.depth = Math.max(sighting.depth, seen.depth);
      if (seen.node) sighting.threaded ||= seen.threads > 1;
      else sighting.otherwise = true;
      sightings.set(descendant, sighting);
      if (!isNodeChild(sighting) || generations.has(descendant)) continue;
      generations.set(descendant, sighting.depth);
      if (sighting.depth > 1) {
        grandchildren.push(describeProcess(descendant));
        ended = false;
        killGroup(child);
      }
    }
  }, POLL_MS);
  const deadline = setTimeout(() => {
    ended = false;
    killGroup(child);
  }, deadlineMs);
  const [code, signal] = await exited;
  clearTimeout(deadline);
  // Daemons are terminated as the program exits: give every descendant a moment to be gone.
  const isGone = (): boolean => scanTree(pid).size === 0 && ![...sightings.keys()].some(isPidAlive);
  await waitFor(isGone, LEFTOVER_GRACE_MS);
  clearInterval(poller);
  const leftAlive = [...new Set([...scanTree(pid).keys(), ...[...sightings.keys()].filter(isPidAlive)])];
  killGroup(child);
  await closed;
  running.delete(child);
  // The processes' own word: each one that evaluated the program logged its pid and its parent's.
  for (const [descendant, depth] of depthsFromLog(pid, pidLog)) generations.set(descendant, Math.max(depth, generations.get(descendant) ?? 0));
  return { pid, code, signal, ended, stdout, stderr, generations, leftAlive, grandchildren };
}

/** How a descendant was seen: its depth, and whether it ran node. */
interface Sighting {
  depth: number;
  /** Seen running node with more than one thread. */
  threaded: boolean;
  /** Seen as another program: what a node process spawned (tsx runs esbuild), not a node child. */
  otherwise: boolean;
}

// A node process the library forked, not a copy of a node process between a fork and the exec of
// another program (tsx has node processes spawn esbuild to compile the program): such a copy has the
// one thread that called fork(), where node starts its platform threads within milliseconds.
function isNodeChild(sighting: Sighting): boolean {
  return !sighting.otherwise && sighting.threaded;
}

function describeProcess(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return `pid ${pid}, parent ${stat[3]}, ${stat[19]} threads: ${cmdline}`;
  } catch {
    return `pid ${pid} (gone)`;
  }
}

// The live processes descended from `root` (by parent chain, or left in its process group after their
// parent died), each with its depth below `root` (0 when the chain to it is broken), whether it runs
// node, and its number of threads.
function scanTree(root: number): Map<number, { depth: number; node: boolean; threads: number }> {
  const parents = new Map<number, number>();
  const group = new Set<number>();
  const nodes = new Set<number>();
  const threads = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [state, ppid, pgrp] = fields;
      if (state === 'Z') continue;
      parents.set(Number(entry), Number(ppid));
      if (Number(pgrp) === root) group.add(Number(entry));
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'node') nodes.add(Number(entry));
      threads.set(Number(entry), Number(fields[17]));
    } catch {
      // It exited while we looked.
    }
  }
  const found = new Map<number, { depth: number; node: boolean; threads: number }>();
  for (const pid of parents.keys()) {
    if (pid === root) continue;
    let depth = 0;
    for (let p: number | undefined = pid; p !== undefined && p > 1 && depth < MAX_DEPTH; p = parents.get(p)) {
      if (p === root) {
        found.set(pid, { depth, node: nodes.has(pid), threads: threads.get(pid) ?? 0 });
        break;
      }
      depth++;
    }
    if (!found.has(pid) && group.has(pid)) found.set(pid, { depth: 0, node: nodes.has(pid), threads: threads.get(pid) ?? 0 });
  }
  return found;
}

function depthsFromLog(root: number, pidLog: string): Map<number, number> {
  const parentOf = new Map<number, number>();
  if (existsSync(pidLog)) {
    for (const line of readFileSync(pidLog, 'utf8').split('\n').filter(Boolean)) {
      const [pid, ppid] = line.split(' ').map(Number) as [number, number];
      parentOf.set(pid, ppid);
    }
  }
  const depths = new Map<number, number>();
  for (const pid of parentOf.keys()) {
    if (pid === root) continue;
    let depth = 0;
    for (let p: number | undefined = pid; p !== undefined && depth < MAX_DEPTH; p = parentOf.get(p)) {
      if (p === root) break;
      depth++;
    }
    depths.set(pid, depth);
  }
  return depths;
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

function countTasksOf(uid: number): number {
  let tasks = 0;
  for (const entry of readdirSync('/proc')) {
    try {
      if (/^\d+$/.test(entry) && /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] === String(uid)) {
        tasks += readdirSync(`/proc/${entry}/task`).length;
      }
    } catch {
      // It exited while we looked.
    }
  }
  return tasks;
}

function canRunAsNobody(): boolean {
  try {
    execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'node_modules', 'tsx', 'package.json'))})`], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

const running = new Set<ChildProcess>();
const POLL_MS = 5;
const LEFTOVER_GRACE_MS = 3_000;
// A chain longer than this is not ours (or is a loop in a snapshot torn between reads).
const MAX_DEPTH = 64;
const NOBODY_UID = 65534;
const NOBODY_GID = 65534;
