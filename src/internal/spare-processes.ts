import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Spare children for the 'forkserver' start method, Python's forkserver idea in Node: a child forked
 * ahead of need boots Node and loads the bootstrap, then waits on its channel for a boot message, so
 * a start that takes it skips Node's start-up and the library's load. It has run no user code — its
 * module state is as fresh as a cold child's.
 *
 * - Spares follow demand: after each start the pool refills to the number of starts seen in the last
 *   DEMAND_WINDOW_MS, at most cpuCount(), and every spare is retired after IDLE_MS without a start.
 * - Spares never keep this process alive (handle, channel and stderr pipe unref'd) and never outlive
 *   it: they are killed when it exits, and a spare whose parent dies otherwise (SIGKILL) ends itself
 *   on its channel's 'disconnect', as every child does.
 * - A spare is used only when it was forked with the settings the start would fork with now (`key`:
 *   execPath, execArgv, working directory, environment; and its stderr, piped or inherited). One
 *   whose key differs can never be used again and is retired; one with the other stderr waits for
 *   a start of its kind (a program may mix Process.start() and consume()).
 */
export function launchWithSpare(key: string, stderr: StderrMode, launch: () => ChildProcess): ChildProcess {
  noteDemand();
  const spare = takeSpare(key, stderr);
  pendingLaunch = { key, stderr, launch };
  if (!refillTimer) {
    // After the current task: a burst of starts in one tick forks its own children first.
    refillTimer = setTimeout(refill, 0);
    refillTimer.unref();
  }
  return spare ?? launch();
}

/** Kills every spare (the start method left 'forkserver', or the program exits). */
export function retireSpares(): void {
  for (const spare of spares.splice(0)) discard(spare);
  clearTimeout(refillTimer);
  clearTimeout(idleTimer);
  refillTimer = idleTimer = undefined;
  pendingLaunch = undefined;
}

/** The pids of the spares waiting now (for tests). */
export function sparePids(): number[] {
  return spares.flatMap((spare) => (spare.child.pid === undefined ? [] : [spare.child.pid]));
}

export type StderrMode = 'pipe' | 'inherit';

interface Spare {
  readonly key: string;
  readonly stderr: StderrMode;
  readonly child: ChildProcess;
  readonly onExit: () => void;
}

function takeSpare(key: string, stderr: StderrMode): ChildProcess | undefined {
  // Spares of other settings (the environment changed, say) can never be used: retire them.
  for (const spare of spares.filter((s) => s.key !== key || !isWaiting(s.child))) remove(spare);
  const spare = spares.find((s) => s.stderr === stderr);
  if (!spare) return undefined;
  spares.splice(spares.indexOf(spare), 1);
  const { child } = spare;
  child.off('exit', spare.onExit);
  child.off('error', ignore);
  // Back to a fresh fork's state: the start decides what keeps this process alive (a daemon unrefs).
  child.ref();
  child.channel?.ref();
  (child.stderr as Unreffable | null)?.ref?.();
  return child;
}

function isWaiting(child: ChildProcess): boolean {
  return child.connected && child.exitCode === null && child.signalCode === null;
}

function refill(): void {
  refillTimer = undefined;
  const pending = pendingLaunch;
  if (!pending) return;
  const wanted = Math.min(maxSpares(), recentStarts());
  const fits = (spare: Spare): boolean => spare.key === pending.key && spare.stderr === pending.stderr;
  for (let have = spares.filter(fits).length; have < wanted; have++) {
    // At the bound, the oldest spare of another kind makes room.
    if (spares.length >= maxSpares()) remove(spares.find((spare) => !fits(spare)) as Spare);
    let child: ChildProcess;
    try {
      child = pending.launch();
    } catch {
      return; // Out of processes (EAGAIN): a start forks fresh and says so.
    }
    spares.push(adopt(pending.key, pending.stderr, child));
  }
  // Refilled after every start: the timer fires once IDLE_MS have passed without one.
  if (idleTimer) idleTimer.refresh();
  else {
    idleTimer = setTimeout(retireSpares, IDLE_MS);
    idleTimer.unref();
  }
}

function adopt(key: string, stderr: StderrMode, child: ChildProcess): Spare {
  child.unref();
  child.channel?.unref();
  (child.stderr as Unreffable | null)?.unref?.();
  const spare: Spare = {
    key,
    stderr,
    child,
    onExit: () => {
      const index = spares.indexOf(spare);
      if (index >= 0) spares.splice(index, 1);
    },
  };
  child.once('exit', spare.onExit);
  // A spare that could not be forked or signalled is just dropped; nobody waits on it.
  child.on('error', ignore);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', retireSpares);
  }
  return spare;
}

function remove(spare: Spare): void {
  spares.splice(spares.indexOf(spare), 1);
  discard(spare);
}

function discard(spare: Spare): void {
  try {
    spare.child.kill('SIGTERM');
  } catch {
    // Already gone.
  }
  spare.child.channel?.unref();
}

function noteDemand(): void {
  starts.push(performance.now());
  if (starts.length > maxSpares()) starts.shift();
}

function recentStarts(): number {
  const since = performance.now() - DEMAND_WINDOW_MS;
  return starts.filter((t) => t >= since).length;
}

function maxSpares(): number {
  return (cpus ??= availableParallelism());
}

function ignore(): void {}

type Unreffable = { ref?(): void; unref?(): void };

const spares: Spare[] = [];
// The newest start times, at most maxSpares() of them: the refill target is how many are recent.
const starts: number[] = [];
let pendingLaunch: { readonly key: string; readonly stderr: StderrMode; readonly launch: () => ChildProcess } | undefined;
let refillTimer: NodeJS.Timeout | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let exitHookInstalled = false;
let cpus: number | undefined;

const DEMAND_WINDOW_MS = 1_000;
const IDLE_MS = 5_000;
