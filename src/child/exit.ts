import { writeSync } from 'node:fs';
import { flushAll, hasPendingData } from '../internal/flush-registry.js';

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

/** `Process <name>:` and the stack on stderr, as CPython's `_bootstrap` prints an uncaught exception. */
export function reportFailure(name: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  writeSync(2, `Process ${name}:\n${detail}\n`);
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
const realExit = process.exit.bind(process);
