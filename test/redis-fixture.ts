// The Redis a test file runs against: RXMP_TEST_REDIS_URL when the runner provides one (.ci/run via
// scripts/redis-server.ts), else a throwaway redis-server this file starts and stops by pid. Without
// redis-server the file's tests are skipped, and the reason names the install command. Only files
// that call useRedis() pay for any of this: the rest of the suite never starts a server.
import type { Context } from 'mocha';
import { spawnSync } from 'node:child_process';
import { queueKeys } from '../src/queue/redis/keys.js';
import { connectRedis } from '../src/queue/redis/redis-link.js';
import { parseRedisUrl } from '../src/queue/redis/redis-url.js';
import { findRedisServer, INSTALL_COMMAND, startRedisServer, type RedisServer, type RedisServerOptions } from '../scripts/redis-server.js';

export interface RedisFixture {
  /** The server's URL, password included (valid inside the tests' hooks and bodies). */
  readonly url: string;
  /** The server this file started, or undefined when it uses the runner's. */
  readonly server: RedisServer | undefined;
}

/**
 * Registers before/after hooks for the enclosing describe(); with `own`, this file always starts its
 * own server (tests that restart it or change its config), never the shared one.
 */
export function useRedis(options: RedisServerOptions & { readonly own?: boolean } = {}): RedisFixture {
  let url: string | undefined;
  let server: RedisServer | undefined;
  before(async function (this: Context) {
    this.timeout(20_000);
    const shared = process.env.RXMP_TEST_REDIS_URL;
    if (shared && !options.own) {
      url = shared;
      return;
    }
    if (!findRedisServer()) skipWithReason(this, `redis-server is not on PATH; install it with \`${INSTALL_COMMAND}\``);
    // The TLS server's throwaway certificates are made with the openssl command.
    if (options.tls && spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) {
      skipWithReason(this, 'the TLS tests need the openssl command; install it with `apt-get install -y openssl`');
    }
    server = await startRedisServer(options);
    url = server.url;
  });
  after(async () => {
    await server?.stop();
    server = undefined;
  });
  return {
    get url() {
      if (!url) throw new Error('useRedis(): the URL is only known inside hooks and tests');
      return url;
    },
    get server() {
      return server;
    },
  };
}

// Mocha's skip in a before() hook marks every test of the describe pending; the reason is printed
// once, as mocha's spec reporter has no place for it.
function skipWithReason(context: Context, reason: string): never {
  if (!reasonsPrinted.has(reason)) {
    reasonsPrinted.add(reason);
    console.log(`      (Redis tests skipped: ${reason})`);
  }
  context.skip();
}

const reasonsPrinted = new Set<string>();

/**
 * Registers an afterEach that disposes of every queue the returned function was given in that test
 * (closing their Redis connections, even when the test failed), and returns that function.
 */
export function disposeAfterEach(): <Q extends AsyncDisposable>(q: Q) => Q {
  let open: AsyncDisposable[] = [];
  afterEach(async () => {
    for (const q of open) await Promise.resolve(q[Symbol.asyncDispose]()).catch(() => {});
    open = [];
  });
  return (q) => {
    open.push(q);
    return q;
  };
}

/** Redis's unfinished counter of queue `name`: exactly '0' once every item is counted done once. */
export async function aliveCount(url: string, name: string): Promise<string> {
  const raw = await connectRedis(parseRedisUrl(url), { reconnectTimeout: 1000 });
  try {
    return String((await raw.call(['GET', queueKeys(name).alive])) ?? '0');
  } finally {
    raw.close();
  }
}
