// A throwaway redis-server for the tests, CI and the bench: found on PATH (or installed with apt when
// asked to, as root), started on a free 127.0.0.1 port with a random password, with no persistence,
// in a private temp dir, and stopped by its pid. With `tls`, it speaks only TLS (rediss://), with a
// throwaway CA and server certificate made by openssl in that dir. No Redis client is needed: PING is spoken in RESP.
//
//   tsx scripts/redis-server.ts [--install] [--aof] -- npm test
//     runs the command with RXMP_TEST_REDIS_URL set to the server (or, when there is no redis-server,
//     without it: the Redis tests then skip, naming the install command), stops the server, and exits
//     with the command's status.
//     When RXMP_TEST_REDIS_URL is set already (and no --aof), that server is used and none is started.
//   tsx scripts/redis-server.ts [--install] --print
//     only checks: prints the redis-server path or why there is none.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running throwaway server. `url` carries the password: keep it out of logs. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly password: string;
  readonly version: string;
  /** With `tls`: the PEM of the throwaway CA that signed the server's certificate. */
  readonly ca: string | undefined;
  /** Milliseconds from spawn to the first PONG. */
  readonly startMs: number;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** AOF with `appendfsync everysec` (the durability cases); off by default. */
  readonly aof?: boolean;
  /** Extra `redis.conf` lines (e.g. `maxmemory 1mb`). */
  readonly config?: readonly string[];
  /** A given port and password, to restart a server where its clients will reconnect (default: a free port, a random password). */
  readonly port?: number;
  readonly password?: string;
  /** TLS only (a rediss:// URL, no plain port), with a throwaway CA (`ca`) and a certificate for 127.0.0.1. */
  readonly tls?: boolean;
  /**
   * The server's data dir (AOF, log, config), kept at stop: a server started again on it, with the
   * same port and password, restarts on the same data (default: a private temp dir, removed at stop).
   */
  readonly dir?: string;
  /** Addresses to listen on besides 127.0.0.1 (e.g. the host side of a test's network namespace link). */
  readonly bind?: readonly string[];
}

/** The command that installs redis-server here: the reason a skipped Redis test gives. */
export const INSTALL_COMMAND = 'apt-get install -y redis-server';

/** The path of redis-server on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * redis-server's path, installing it with apt when it is missing and this process may (root, apt-get
 * present). Returns undefined, with the reason on stderr, when it can do neither.
 */
export function ensureRedisServer(): string | undefined {
  const found = findRedisServer();
  if (found) return found;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write(`redis-server is not installed and this process cannot install it (needs root and apt-get): run \`${INSTALL_COMMAND}\`\n`);
    return undefined;
  }
  process.stderr.write(`redis-server is missing: installing it with \`${INSTALL_COMMAND}\` (Redis tests need it)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const started = Date.now();
  // A fresh machine may have no package lists yet: update only when the first try cannot find it.
  if (spawnSync('apt-get', ['install', '-y', 'redis-server'], { env, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) {
    spawnSync('apt-get', ['update'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    spawnSync('apt-get', ['install', '-y', 'redis-server'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const path = findRedisServer();
  process.stderr.write(path ? `installed ${path} in ${Date.now() - started} ms\n` : 'redis-server could not be installed\n');
  return path;
}

/** A port on 127.0.0.1 nothing listens on (at the moment of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server and resolves once it answers PING. Only this user can reach it: it listens on
 * 127.0.0.1 only and requires a random password, which is in a 0600 config file in a 0700 dir, never
 * on the command line (`ps` shows every user the command line).
 */
export async function startRedisServer(options: RedisServerOptions = {}, binary = findRedisServer()): Promise<RedisServer> {
  if (!binary) throw new Error(`redis-server is not on PATH: run \`${INSTALL_COMMAND}\``);
  if (options.port !== undefined) return startOn(options.port, options, binary);
  // A port picked by Node can be taken before redis binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), options, binary);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
}

async function startOn(port: number, options: RedisServerOptions, binary: string): Promise<RedisServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rxmp-redis-'));
  const password = options.password ?? randomBytes(18).toString('base64url');
  const conf = join(dir, 'redis.conf');
  let ca: string | undefined;
  try {
    ca = options.tls ? makeCertificates(dir) : undefined;
  } catch (error) {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  writeFileSync(
    conf,
    [
      `bind ${['127.0.0.1', ...(options.bind ?? [])].join(' ')}`,
      ...(ca
        ? ['port 0', `tls-port ${port}`, `tls-cert-file ${join(dir, 'server.crt')}`, `tls-key-file ${join(dir, 'server.key')}`, `tls-ca-cert-file ${join(dir, 'ca.crt')}`, 'tls-auth-clients no']
        : [`port ${port}`]),
      'protected-mode yes',
      `requirepass ${password}`,
      'daemonize no',
      `dir ${dir}`,
      `logfile ${join(dir, 'redis.log')}`,
      'save ""',
      ...(options.aof ? ['appendonly yes', 'appendfsync everysec'] : ['appendonly no']),
      ...(options.config ?? []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const started = Date.now();
  const child = spawn(binary, [conf], { stdio: 'ignore' });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exited (${code ?? signal})`)));
  const cleanup = () => {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  };
  let version: string | undefined;
  while (!version) {
    const outcome = await Promise.race([exited, ping(port, password, ca)]);
    if (typeof outcome === 'string' && outcome.startsWith('exited')) {
      const log = readLog(dir);
      cleanup();
      throw new Error(`redis-server ${outcome} before answering PING: ${log}`);
    }
    if (outcome) version = outcome;
    else if (Date.now() - started > START_TIMEOUT_MS) {
      process.kill(child.pid as number, 'SIGKILL');
      await exited;
      cleanup();
      throw new Error(`redis-server did not answer PING within ${START_TIMEOUT_MS} ms`);
    } else await new Promise((r) => setTimeout(r, 20));
  }
  const startMs = Date.now() - started;
  const pid = child.pid as number;
  // Stopping twice, or after the test killed it, must be harmless.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const force = setTimeout(() => process.kill(pid, 'SIGKILL'), STOP_GRACE_MS);
        process.kill(pid, 'SIGTERM');
        await exited;
        clearTimeout(force);
      }
      cleanup();
    })());
  return { url: `${ca ? 'rediss' : 'redis'}://:${password}@127.0.0.1:${port}`, port, pid, password, version, ca, startMs, stop };
}

function readLog(dir: string): string {
  try {
    return execFileSync('tail', ['-n', '5', join(dir, 'redis.log')], { encoding: 'utf8' }).trim();
  } catch {
    return '(no log)';
  }
}

// A throwaway CA and a server certificate for 127.0.0.1 signed by it, in `dir` (keys 0600): the CA's PEM.
function makeCertificates(dir: string): string {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RANDFILE: at('.rnd') } });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  try {
    openssl('req', '-x509', ...ecKey, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '1', '-subj', '/CN=rxmp throwaway test CA');
    openssl('req', ...ecKey, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '1', '-extfile', at('server.ext'));
  } catch (error) {
    throw new Error(`openssl could not make the test certificates (is openssl installed? \`apt-get install -y openssl\`): ${(error as Error).message}`);
  }
  return readFileSync(at('ca.crt'), 'utf8');
}

// One AUTH + INFO over raw RESP: the version once the server answers, undefined while it does not.
function ping(port: number, password: string, ca: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = ca ? connectTls({ host: '127.0.0.1', port, ca }) : createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const version = /redis_version:(\S+)/.exec(reply)?.[1];
      if (reply.includes('+PONG') && version) done(version);
      else if (reply.startsWith('-')) done(undefined);
    });
    socket.once(ca ? 'secureConnect' : 'connect', () => socket.write(`AUTH ${password}\r\nPING\r\nINFO server\r\n`));
  });
}

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

async function main(argv: readonly string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const flags = dash < 0 ? argv : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  const binary = flags.includes('--install') ? ensureRedisServer() : findRedisServer();
  if (flags.includes('--print')) {
    process.stdout.write(binary ? `${binary}\n` : `none: run \`${INSTALL_COMMAND}\`\n`);
    return binary ? 0 : 1;
  }
  if (command.length === 0) {
    process.stderr.write('usage: tsx scripts/redis-server.ts [--install] [--aof] -- command [args…]\n');
    return 2;
  }
  let server: RedisServer | undefined;
  const given = process.env.RXMP_TEST_REDIS_URL;
  if (given && !flags.includes('--aof')) {
    // A server the caller already started (.ci/run wraps npm test, which runs this again): used as is.
  } else if (binary) {
    // A server that will not start must not cost the rest of the run: the Redis tests then skip.
    try {
      server = await startRedisServer({ aof: flags.includes('--aof') }, binary);
      process.stderr.write(`redis-server ${server.version} pid ${server.pid} on 127.0.0.1:${server.port}, up in ${server.startMs} ms\n`);
    } catch (error) {
      process.stderr.write(`redis-server did not start (${(error as Error).message}): the Redis tests will be skipped\n`);
    }
  } else {
    process.stderr.write(`no redis-server: the Redis tests will be skipped (install: \`${INSTALL_COMMAND}\`)\n`);
  }
  const env = server ? { ...process.env, RXMP_TEST_REDIS_URL: server.url } : process.env;
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, { stdio: 'inherit', env });
  // Ctrl-C reaches the command through the terminal's process group; this process only outlives it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', () => forward('SIGINT')).on('SIGTERM', () => forward('SIGTERM'));
  const status = await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  await server?.stop();
  return status;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // No top-level await: test files import this module, and mocha loads a spec with one as ESM, the rest of
  // the suite as CommonJS, which would give the library two copies in one process.
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
