import { unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh address for a Unix socket this process will listen on. On Linux it is in the abstract
 * namespace: no file, so none is left behind by a process that dies without running its exit handlers
 * (SIGKILL, an unhandled SIGTERM). Elsewhere it is a file in the temp folder, removed at exit.
 */
export function newSocketAddress(kind: string): string {
  // node:crypto is loaded here, not at import: it costs every child that imports the library ~2 ms.
  const { randomBytes } = process.getBuiltinModule('node:crypto');
  const name = `rxmp-${process.pid}-${kind}-${randomBytes(4).toString('hex')}.sock`;
  if (process.platform === 'linux') return `\0${name}`;
  const address = join(tmpdir(), name);
  process.once('exit', () => {
    try {
      unlinkSync(address);
    } catch {
      // Already gone.
    }
  });
  return address;
}
