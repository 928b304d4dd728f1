import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the processes of one tree share to reach each other's sockets: the secret every connection
 * proves it knows (Python's `authkey`), and the folder, private to this user, where the sockets live.
 * The root process makes both; a child adopts its parent's from the boot message, which travels over
 * the IPC channel (a socketpair): never argv or the environment, which other users can read in /proc.
 */
export interface TransportSettings {
  readonly authkey: Uint8Array;
  readonly socketDir: string;
}

/** This process tree's settings, made on first use in the root process. */
export function transportSettings(): TransportSettings {
  const holder = globalThis as { [SETTINGS_KEY]?: TransportSettings };
  holder[SETTINGS_KEY] ??= createSettings();
  return holder[SETTINGS_KEY];
}

/** In a child, at boot: the parent's settings become this process's. */
export function adoptTransportSettings(settings: TransportSettings): void {
  (globalThis as { [SETTINGS_KEY]?: TransportSettings })[SETTINGS_KEY] = {
    authkey: Buffer.from(settings.authkey),
    socketDir: settings.socketDir,
  };
}

function createSettings(): TransportSettings {
  // node:crypto is loaded here, not at import: a child that never connects does not pay for it.
  const { randomBytes } = process.getBuiltinModule('node:crypto');
  const base = socketBase();
  // mkdtemp makes the folder with mode 0700: another user can neither list nor connect to what is
  // in it (connecting to a Unix socket needs write permission on it and search permission on its
  // folder). Abstract sockets, used before, have no permissions at all.
  const socketDir = mkdtempSync(join(base, `${DIR_PREFIX}${process.pid}-`));
  const creator = process.pid;
  process.once('exit', () => {
    if (process.pid === creator) rmSync(socketDir, { recursive: true, force: true });
  });
  setImmediate(() => removeStaleDirs(base)).unref();
  return { authkey: randomBytes(AUTHKEY_BYTES), socketDir };
}

// A socket's path is limited to 107 bytes: a long TMPDIR (macOS's is ~50) still leaves room for
// ours, a longer one falls back to /tmp.
function socketBase(): string {
  const base = tmpdir();
  return base.length <= MAX_BASE_LENGTH ? base : '/tmp';
}

// Folders of earlier runs whose root was killed (SIGKILL skips exit handlers), found by the pid in
// their name: ours, and that pid gone.
function removeStaleDirs(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const match = STALE_NAME.exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    const path = join(base, name);
    try {
      // lstat: a link planted under such a name is not followed, and not ours.
      const stat = lstatSync(path);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed meanwhile, or not ours to remove.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SETTINGS_KEY = Symbol.for('rx-multiprocessing.transportSettings');
const AUTHKEY_BYTES = 32;
const DIR_PREFIX = 'rxmp-';
const STALE_NAME = /^rxmp-(\d+)-[A-Za-z0-9]{6}$/;
const MAX_BASE_LENGTH = 60;
