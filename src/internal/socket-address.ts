import { unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { transportSettings } from './transport-settings.js';

/**
 * A fresh path for a Unix socket this process will listen on, in the process tree's private folder
 * (see TransportSettings). The file is removed when this process exits; the root removes the whole
 * folder at its exit, and a later run removes it if the root was killed.
 */
export function newSocketAddress(kind: string): string {
  const { randomBytes } = process.getBuiltinModule('node:crypto');
  const address = join(transportSettings().socketDir, `${kind}-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  process.once('exit', () => {
    try {
      unlinkSync(address);
    } catch {
      // Already gone.
    }
  });
  return address;
}

/**
 * Removes the socket file a child of this process listened on, once that child is gone: one ended
 * by a signal (a daemon consumer terminated at completion) could not remove it, and a long-running
 * program would gather them until it exits. Only a file of this tree's folder, named for that pid.
 */
export function removeSocketOf(address: string, pid: number | undefined): void {
  const match = SOCKET_NAME.exec(basename(address));
  if (!match || Number(match[1]) !== pid || dirname(address) !== transportSettings().socketDir) return;
  try {
    unlinkSync(address);
  } catch {
    // Removed by its process at exit.
  }
}

const SOCKET_NAME = /^[a-z]+-(\d+)-[0-9a-f]{8}\.sock$/;
