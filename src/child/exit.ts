import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { flushAll, hasPendingData } from '../internal/flush-registry.js';
import { toRemoteError, type ProtocolMessage } from '../internal/protocol.js';
import { isLogging, logEvent } from '../process/logger.js';
import { sendToParent } from './parent-channel.js';

/**
 * Thrown by `process.exit()` in a child while IPC messages are still unwritten: like Python's
 * SystemExit it unwinds the caller, and the runtime exits once the messages are flushed.
 */
export class ExitRequest {
  constructor(readonly code: number) {}
}

// Makes every way out of a child flush its IPC first: process.exit(), an uncaught error, the target's end.
export function installExitGuards(getName: () => string): void {
  process.exit = ((code?: number | string | null) => {
    const status = toStatus(code ?? process.exitCode);
    if (!hasPendingData()) return realExit(status);
    exitAfterFlush(status);
    throw new ExitRequest(status);
  }) as typeof process.exit;

  // Installing this listener replaces Node's default crash: print as Python does, flush, exit 1.
  process.on('uncaughtException', (error) => {
    if (error instanceof ExitRequest) return;
    reportFailure(getName(), error);
    exitAfterFlush(1);
  });
}

/**
 * Ends this child because it cannot do its work: the parent hears why (an `init-failed` message, read
 * before the child's channel ends), the stack goes to stderr, and the child exits with 1 once that is
 * written. A child already on its way out keeps the reason it had.
 */
export function failChild(name: string, error: unknown): void {
  if (exiting) return;
  sendToParent({ rxmp: 'init-failed', error: toRemoteError(error) } satisfies ProtocolMessage);
  if (markReported(error)) printFailure(name, error);
  exitAfterFlush(1);
}

/**
 * `Process <name>:` and the stack on stderr, as CPython's `_bootstrap` prints an uncaught exception;
 * the parent hears the error too (a `failed` message), for its errors' `cause`.
 */
export function reportFailure(name: string, error: unknown): void {
  if (!markReported(error)) return;
  try {
    sendToParent({ rxmp: 'failed', error: toRemoteError(error) } satisfies ProtocolMessage);
  } catch {
    // The report on stderr still says why.
  }
  printFailure(name, error);
}

// False when failChild or reportFailure reported this error already (it goes on to unwind the code that threw it).
function markReported(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  if (reported.has(error)) return false;
  reported.add(error);
  return true;
}

function printFailure(name: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  const text = `Process ${name}:\n${detail}\n`;
  // A thread's fd 2 is the process's: through process.stderr it reaches its parent's capture (the
  // tail an error quotes), and Node delivers it before the thread's exit.
  if (isMainThread) writeSync(2, text);
  else process.stderr.write(text);
}

/**
 * Once the event loop has nothing left to run, tells the parent the exit code and exits, as CPython's
 * children end with os._exit() once their work is done: tearing the runtime down first would only
 * delay the parent's news by ~1 ms. A `beforeExit` listener of the target's may start more work: the
 * check runs after every listener (and what they started at once), and exits only if nothing but
 * what was alive when the loop went idle (stdio handles, say) is alive still.
 */
export function exitWhenIdle(): void {
  let idle = '';
  process.prependListener('beforeExit', () => {
    idle = aliveResources();
  });
  process.on('beforeExit', () => {
    setImmediate(() => {
      if (exiting || aliveResources() !== idle) return;
      const code = toStatus(process.exitCode);
      sendToParent({ rxmp: 'exiting', code });
      exitAfterFlush(code);
    });
  });
}

/**
 * With debug logging on, says once what still keeps this child alive a moment after its target
 * returned: Python's semantics (the child runs until its event loop is empty) leave an open timer or
 * socket waiting silently otherwise, and `join()` with it. The timer is unref'd: it never holds the
 * child up, and a child that ends sooner never logs.
 */
export function reportOpenHandlesLater(): void {
  if (!isLogging('debug')) return;
  setTimeout(() => {
    if (exiting) return;
    const counts = new Map<string, number>();
    for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
    if (counts.size === 0) return;
    const list = [...counts].map(([type, n]) => (n > 1 ? `${type} x${n}` : type)).join(', ');
    logEvent(
      'debug',
      'the target returned %d ms ago, but the process stays alive until its event loop is empty; still active: %s. ' +
        'Clear timers and close sockets and servers when the work is done, or call process.exit()',
      OPEN_HANDLES_DELAY_MS,
      list,
    );
  }, OPEN_HANDLES_DELAY_MS).unref();
}

function aliveResources(): string {
  return process.getActiveResourcesInfo().sort().join();
}

/** True once this child is on its way out (see exitAfterFlush). */
export function isExiting(): boolean {
  return exiting;
}

export function exitAfterFlush(code: number): void {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  void flushAll().then(() => realExit(code));
}

function toStatus(code: number | string | null | undefined): number {
  const n = typeof code === 'string' ? Number.parseInt(code, 10) : code;
  return typeof n === 'number' && Number.isFinite(n) ? n & 0xff : 0;
}

let exiting = false;
// Long enough for a target's own short timers to finish first, short enough to explain a join() that waits.
const OPEN_HANDLES_DELAY_MS = 1_000;
const reported = new WeakSet<object>();
const realExit = process.exit.bind(process);
