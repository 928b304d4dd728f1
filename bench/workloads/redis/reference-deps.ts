// BullMQ and ioredis are the references' clients, never the library's dependencies: they live in
// bench/redis/package.json (its own lock), installed there on demand by the bench. The install keeps
// this process's environment (NODE_EXTRA_CA_CERTS among it), as every child of the bench does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../../redis/', import.meta.url));

/** The command that installs the references' packages: the reason given when they are missing. */
export const REFERENCE_INSTALL = 'npm install --prefix bench/redis';

export function referenceDepsInstalled(): boolean {
  return ['bullmq', 'ioredis'].every((name) => existsSync(`${DIR}node_modules/${name}/package.json`));
}

/** Installs them when missing; undefined once they are there, else why not. */
export function ensureReferenceDeps(log: (text: string) => void): string | undefined {
  if (referenceDepsInstalled()) return undefined;
  log(`installing the Redis references' clients (BullMQ, ioredis): ${REFERENCE_INSTALL}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['install', '--prefix', DIR, '--no-audit', '--no-fund'], { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status === 0 && referenceDepsInstalled()) return undefined;
  return `unavailable: \`${REFERENCE_INSTALL}\` failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`})`;
}
