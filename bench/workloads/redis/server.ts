// The section's throwaway redis-servers, started with scripts/redis-server.ts (the tests' and CI's
// own starter) and stopped by pid. That script is TypeScript outside bench/ (the bench compiles with
// rootDir bench/), so it is loaded through tsx, a dev dependency like the rest of the bench's tools.
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/** The part of scripts/redis-server.ts's RedisServer the bench uses (its URL carries the password). */
export interface BenchRedisServer {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  stop(): Promise<void>;
}

interface ServerScript {
  readonly INSTALL_COMMAND: string;
  findRedisServer(): string | undefined;
  startRedisServer(options: { readonly aof?: boolean }): Promise<BenchRedisServer>;
}

let script: Promise<ServerScript> | undefined;

function loadScript(): Promise<ServerScript> {
  script ??= tsImport(fileURLToPath(new URL('../../../../scripts/redis-server.ts', import.meta.url)), import.meta.url) as Promise<ServerScript>;
  return script;
}

/** Why the Redis section cannot run here (no redis-server on PATH), naming the install command; undefined when it can. */
export async function redisUnavailable(): Promise<string | undefined> {
  const { findRedisServer, INSTALL_COMMAND } = await loadScript();
  return findRedisServer() ? undefined : `skipped: redis-server is not on PATH; install it with \`${INSTALL_COMMAND}\``;
}

/** A fresh server: no persistence, or AOF with `appendfsync everysec` (the durability cost). */
export async function startServer(aof: boolean): Promise<BenchRedisServer> {
  return (await loadScript()).startRedisServer({ aof });
}
