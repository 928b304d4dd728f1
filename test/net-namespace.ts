// "Two machines" on one host, for the tests: a network namespace joined to the host by a veth pair,
// each side with a private address, in which a test runs a process (`ip netns exec`) and whose link
// it cuts and restores. Cutting sets the host side down: packets are dropped, nothing is reset, so a
// process inside goes silent as a machine behind a failed switch does. Where namespaces are not
// permitted (no root, no `ip`, a container without CAP_NET_ADMIN), `createSplitLink()` falls back to
// a loopback TCP proxy whose cut stops forwarding without closing, and says which one ran (`kind`).
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A link between the host and a "second machine" that a test can cut. */
export interface SplitLink {
  /** `netns`: a network namespace with a veth pair; `proxy`: the loopback TCP proxy fallback. */
  readonly kind: 'netns' | 'proxy';
  /** Why the fallback ran (for the test log), when it did. */
  readonly fallbackReason: string | undefined;
  /** Addresses for the server to listen on besides 127.0.0.1 (the host side of the link). */
  readonly serverBind: readonly string[];
  /** The URL the second machine reaches a server at `url` (on this host) by: across the link. */
  remoteUrl(url: string): Promise<string>;
  /** Runs `command` on the second machine; the returned child's pid is the command's own. */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Drops every packet across the link, resetting nothing. */
  cut(): void;
  /** Lets packets through again. */
  restore(): void;
  /** Kills what runs on the second machine (SIGKILL) and removes the namespace or proxy; safe to call twice. */
  remove(): Promise<void>;
}

/** A namespace link when this process may make one, else the proxy (with the reason). */
export function createSplitLink(): SplitLink {
  // RXMP_TEST_SPLIT_LINK=proxy runs the fallback where namespaces would work, to test it.
  const reason = process.env.RXMP_TEST_SPLIT_LINK === 'proxy' ? 'RXMP_TEST_SPLIT_LINK=proxy asked for it' : whyNoNetNamespaces();
  return reason === undefined ? createNetNamespace() : createProxyLink(reason);
}

/** Undefined when `ip netns` works here; else why not. */
export function whyNoNetNamespaces(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root (CAP_NET_ADMIN)';
  const probe = `rxmp-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `\`ip netns add\` failed: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`;
  }
}

/** A network namespace joined to the host by a veth pair on a private /30 (10.200.x.y). Needs root. */
export function createNetNamespace(): SplitLink {
  removeStaleNamespaces();
  const id = `${process.pid.toString(36)}${(++counter).toString(36)}`;
  const ns = `rxmp-${process.pid.toString(36)}-${counter.toString(36)}`;
  // Interface names are at most 15 bytes.
  const hostDev = `rxh${id}`.slice(0, 15);
  const innerDev = `rxi${id}`.slice(0, 15);
  const [hostAddress, innerAddress] = freeSubnet();
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await killAll(namespacePids(ns));
    // Deleting the namespace deletes its end of the pair, and with it the host end.
    try {
      ip('netns', 'del', ns);
    } catch {
      // Never made, or gone already.
    }
    try {
      ip('link', 'del', hostDev);
    } catch {
      // Gone with the namespace, as expected.
    }
  };
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostDev, 'type', 'veth', 'peer', 'name', innerDev);
    ip('link', 'set', innerDev, 'netns', ns);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostDev);
    ip('link', 'set', hostDev, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${innerAddress}/30`, 'dev', innerDev);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', innerDev, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  } catch (error) {
    void remove();
    throw new Error(`could not set up network namespace ${ns}: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`);
  }
  return {
    kind: 'netns',
    fallbackReason: undefined,
    serverBind: [hostAddress],
    remoteUrl: async (url) => withHost(url, hostAddress),
    spawn: (command, args, options = {}) => spawn('ip', ['netns', 'exec', ns, command, ...args], options),
    cut: () => void ip('link', 'set', hostDev, 'down'),
    restore: () => void ip('link', 'set', hostDev, 'up'),
    remove,
  };
}

/**
 * The fallback: a TCP proxy on a free 127.0.0.1 port in front of the server. Cut, it stops reading
 * and writing every connection (and holds new ones), as a dropped link would, without closing any.
 */
export function createProxyLink(reason: string): SplitLink {
  let server: Server | undefined;
  let isCut = false;
  const pairs = new Set<[Socket, Socket]>();
  const children = new Set<ChildProcess>();
  const setFlow = () => {
    for (const [a, b] of pairs) for (const s of [a, b]) (isCut ? s.pause() : s.resume());
  };
  let removed = false;
  return {
    kind: 'proxy',
    fallbackReason: reason,
    serverBind: [],
    async remoteUrl(url) {
      const target = new URL(url);
      server = createServer((client) => {
        const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        // Written only while the link is up: a cut link carries nothing either way.
        client.on('data', (chunk) => upstream.write(chunk));
        upstream.on('data', (chunk) => client.write(chunk));
        const end = () => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
        if (isCut) setFlow();
      });
      await new Promise<void>((resolve) => (server as Server).listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      return withHost(url, '127.0.0.1', port);
    },
    spawn(command, args, options = {}) {
      const child = spawn(command, args, options);
      children.add(child);
      return child;
    },
    cut() {
      isCut = true;
      setFlow();
    },
    restore() {
      isCut = false;
      setFlow();
    },
    async remove() {
      if (removed) return;
      removed = true;
      await killAll([...children].map((c) => c.pid).filter((pid): pid is number => pid !== undefined));
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

// Namespaces left by a test process that was killed before its cleanup ran (named after its pid):
// removed, with whatever still runs in them.
function removeStaleNamespaces(): void {
  let listed = '';
  try {
    listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return;
  }
  for (const [, ns = '', owner = ''] of listed.matchAll(/^(rxmp-([0-9a-z]+)-[0-9a-z]+)\b/gm)) {
    if (isRunning(Number.parseInt(owner, 36))) continue;
    for (const pid of namespacePids(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
    } catch {
      // Another test process removed it first.
    }
  }
}

// The pids of the processes in namespace `ns`.
function namespacePids(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// SIGKILLs `pids` and waits (up to 5 s) until each is gone.
async function killAll(pids: readonly number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  const deadline = Date.now() + 5_000;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A /30 of 10.200.0.0/16 no interface here uses: parallel test workers pick different ones.
function freeSubnet(): [string, string] {
  const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  for (let attempt = 0; attempt < 64; attempt++) {
    const block = (process.pid * 7 + counter * 13 + attempt * 101) % 16_384;
    const third = block >> 6;
    const fourth = (block & 63) * 4;
    const host = `10.200.${third}.${fourth + 1}`;
    if (!used.includes(`${host}/`) && !used.includes(`10.200.${third}.${fourth + 2}/`)) return [host, `10.200.${third}.${fourth + 2}`];
  }
  throw new Error('no free /30 in 10.200.0.0/16 for a test network namespace');
}

function withHost(url: string, host: string, port?: number): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  if (port !== undefined) parsed.port = String(port);
  return parsed.toString().replace(/\/$/, '');
}

let counter = 0;
