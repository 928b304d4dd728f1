import type { ChildHandle } from '../internal/child-handle.js';

/**
 * Settles once nothing more can arrive on `child`'s IPC channel. Its exit alone does not say so:
 * messages it wrote just before may still be unread, and Node emits 'disconnect' only after them.
 */
export function channelEnd(child: ChildHandle): Promise<void> {
  if (!child.connected) return RESOLVED;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    child.once('disconnect', () => {
      if (timer) clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => {
      if (child.connected) timer = setTimeout(resolve, CHANNEL_END_AFTER_EXIT_MS);
    });
  });
}

const RESOLVED = Promise.resolve();
// Bounds the wait for a channel's end after its process exited, should 'disconnect' never come.
const CHANNEL_END_AFTER_EXIT_MS = 5_000;
