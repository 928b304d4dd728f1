import type { ProtocolMessage } from '../internal/protocol.js';
import { registerFlushable } from '../internal/flush-registry.js';

// Sends to the parent and counts what is not yet written: Node drops unwritten IPC messages when a
// process exits, so the child runtime waits for this count to reach zero before it lets itself exit.
export function sendToParent(message: ProtocolMessage | object): void {
  if (!process.send || !process.connected) return;
  pending++;
  try {
    process.send(message, undefined, undefined, onWritten);
  } catch (error) {
    // Nothing was queued (a value that does not clone): no write will ever settle this one.
    pending--;
    throw error;
  }
}

/** Settles once every message sent so far is written to the channel (or the channel is gone). */
export function whenFlushed(): Promise<void> {
  if (pending === 0 || !process.connected) return RESOLVED;
  return new Promise((resolve) => flushWaiters.push(resolve));
}

function onWritten(): void {
  pending--;
  if (pending === 0 && flushWaiters.length > 0) {
    for (const resolve of flushWaiters.splice(0)) resolve();
  }
}

registerFlushable({ pending: () => pending > 0, flush: whenFlushed });

process.on('disconnect', () => {
  pending = 0;
  for (const resolve of flushWaiters.splice(0)) resolve();
});

let pending = 0;
const flushWaiters: (() => void)[] = [];
const RESOLVED = Promise.resolve();
