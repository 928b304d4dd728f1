import { expect } from 'chai';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { lastValueFrom, toArray } from 'rxjs';
import { ClientHandshake } from '../../src/queue/wire/handshake.js';
import { encodeQueues } from '../../src/queue/queue-handles.js';
import type { LocalQueueDescriptor } from '../../src/internal/protocol.js';
import { transportSettings } from '../../src/internal/transport-settings.js';
import { UNFINISHED } from '../../src/internal/symbols.js';
import { JoinableQueue, Process, consume, mergeProducers, producer, queue } from '../../src/index.js';
import * as rx from '../fixtures/rx-targets.js';
import * as targets from '../fixtures/transport-targets.js';
import { ROOT, assertChildrenExitSoon, readRecord, tempFile, waitFor } from '../helpers.js';

// The attacks of issue 17, each run against a real queue owner (this process) or a real consumer's
// inbox: by another user where the machine allows it, by this user without the authkey, and by a
// peer that holds the authkey but writes what no correct peer would. Each must be refused and cost
// the pipeline nothing: no item stolen, none injected, no crash, bounded memory.

const ATTACKER = join(ROOT, 'test/fixtures/attacker.mjs');
const ITEMS = 200;
const CHALLENGE_BYTES = 36;

interface AttackResult {
  connected: boolean;
  error: string | null;
  bytesReceived: number;
  closedByPeer: boolean;
}

/** Runs the attacker script, as user `nobody` when `asNobody`. */
function attack(address: string, mode: string, queueId: string, asNobody: boolean): Promise<AttackResult> {
  const command = asNobody ? 'setpriv' : process.execPath;
  const args = asNobody ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ATTACKER] : [ATTACKER];
  return new Promise((resolve, reject) => {
    execFile(command, [...args, address, mode, queueId], { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(error);
      resolve(JSON.parse(stdout) as AttackResult);
    });
  });
}

/** Whether this machine lets the tests act as `nobody` (it must be root, with setpriv). */
function canRunAsNobody(): boolean {
  try {
    return execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'id', '-u'], { encoding: 'utf8' }).trim() !== '0';
  } catch {
    return false;
  }
}

/** A connection that passed the handshake with this tree's authkey: a peer that knows the secret. */
function authenticatedSocket(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    const handshake = new ClientHandshake((answer) => socket.write(answer));
    const onData = (chunk: Buffer): void => {
      if (handshake.receive(chunk) === undefined) return;
      socket.off('data', onData);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Writes raw bytes on an authenticated connection; resolves with whether the owner closed it. */
function sendRaw(socket: Socket, bytes: Buffer, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

function frame(header: unknown, body?: Buffer, declaredLength?: number): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(declaredLength ?? 4 + json.length + (body ? body.length : 0), 0);
  prefix.writeUInt32LE(json.length, 4);
  return Buffer.concat([prefix, json, ...(body ? [body] : [])]);
}

/** Abstract Unix sockets the library would have opened in these processes (listed to every user in /proc/net/unix). */
function abstractSockets(pids: readonly (number | undefined)[]): string[] {
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .filter((line) => pids.some((pid) => pid !== undefined && line.includes(`@rxmp-${pid}-`)));
}

describe('the transport between processes (issue 17)', function () {
  this.timeout(60_000);
  const nobody = canRunAsNobody();
  let owned: JoinableQueue<number>;
  let descriptor: LocalQueueDescriptor;
  let holder: Process;
  let release: string;

  beforeEach(async () => {
    owned = new JoinableQueue<number>();
    for (let i = 0; i < ITEMS; i++) await owned.put(i);
    descriptor = encodeQueues(owned) as LocalQueueDescriptor;
    // A child holding a proxy: the owner's server is up and serving while the attacks run.
    release = tempFile('release');
    holder = new Process({ target: targets.holdUntil, args: [owned, release] });
    holder.start();
  });

  afterEach(async () => {
    writeFileSync(release, '');
    if (holder.pid !== undefined) await holder.join(10_000);
    await assertChildrenExitSoon();
  });

  /** After an attack, a real consumer still gets every item, in order, and nothing else. */
  async function expectAllItemsStillThere(): Promise<void> {
    expect(owned.qsize()).to.equal(ITEMS);
    const file = tempFile('taken');
    const taker = new Process({ target: targets.takeAll, args: [owned, ITEMS, file] });
    taker.start();
    await taker.join(20_000);
    expect(taker.exitCode).to.equal(0);
    expect(readRecord<number[]>(file)).to.deep.equal(Array.from({ length: ITEMS }, (_, i) => i));
    expect(owned.qsize()).to.equal(0);
  }

  it('should listen on no abstract socket, only in a folder of mode 0700 owned by this user', () => {
    expect(abstractSockets([process.pid, holder.pid])).to.deep.equal([]);
    const dir = transportSettings().socketDir;
    expect(descriptor.address.startsWith(`${dir}/`)).to.equal(true);
    const stat = statSync(dir);
    expect(stat.mode & 0o777).to.equal(0o700);
    expect(stat.uid).to.equal(process.getuid?.());
  });

  it('should not let another user connect to a queue owner (setpriv to nobody)', async function () {
    if (!nobody) this.skip();
    const result = await attack(descriptor.address, 'request', descriptor.id, true);
    expect(result.connected).to.equal(false);
    expect(result.error).to.equal('EACCES');
    expect(result.bytesReceived).to.equal(0);
    await expectAllItemsStillThere();
  });

  it('should refuse a client of this user that skips the handshake, before reading a frame', async () => {
    const result = await attack(descriptor.address, 'request', descriptor.id, false);
    expect(result.connected).to.equal(true);
    expect(result.closedByPeer).to.equal(true);
    // At most the server's challenge (4 + 32 bytes; the close may beat it): no credit, no item.
    expect(result.bytesReceived).to.be.at.most(CHALLENGE_BYTES);
    await expectAllItemsStillThere();
  });

  it('should refuse a client of this user whose answer to the challenge is wrong', async () => {
    for (const mode of ['wrong-answer', 'garbage']) {
      const result = await attack(descriptor.address, mode, descriptor.id, false);
      expect(result.closedByPeer, mode).to.equal(true);
      expect(result.bytesReceived, mode).to.be.at.most(CHALLENGE_BYTES);
    }
    await expectAllItemsStillThere();
  });

  it('should close only the connection of a peer with the authkey that sends malformed frames', async () => {
    const q = descriptor.id;
    const malformed: [string, Buffer][] = [
      ['a header that is not JSON', frame('{"t":')],
      ['a null header', frame('null')],
      ['an array header', frame('[1,2]')],
      ['a message of unknown type', frame({ t: 'steal', q, n: 1 })],
      ['a count that is not a positive integer', frame({ t: 'request', q, n: -5 })],
      ['a count of 10^9 that is a string', frame({ t: 'done', q, n: '1000000000' })],
      ['a put without credit', frame({ t: 'put', q, n: 1 }, serialize([1]))],
      ['a message only an owner sends', frame({ t: 'items', q, n: 1, size: 0 }, serialize([1]))],
      ['a header length beyond the frame', Buffer.from([8, 0, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0])],
    ];
    for (const [what, bytes] of malformed) {
      const socket = await authenticatedSocket(descriptor.address);
      expect(await sendRaw(socket, bytes), what).to.equal(true);
    }
    expect(owned[UNFINISHED]()).to.equal(ITEMS);
    await expectAllItemsStillThere();
  });

  it('should not let a peer with the authkey put more items than its credit, or count one item as 10^9', async () => {
    const q = descriptor.id;
    const socket = await authenticatedSocket(descriptor.address);
    socket.write(frame({ t: 'want-credit', q, n: 2 }));
    // Unbounded queue: the owner grants the two slots at once.
    await new Promise((resolve) => socket.once('data', resolve));
    expect(await sendRaw(socket, frame({ t: 'put', q, n: 1_000_000_000 }, serialize([7])))).to.equal(true);
    expect(owned.qsize()).to.equal(ITEMS);
    expect(owned[UNFINISHED]()).to.equal(ITEMS);
    await expectAllItemsStillThere();
  });

  it('should refuse a 2 GiB frame at its length prefix, without allocating it', async () => {
    const before = process.memoryUsage().rss;
    const socket = await authenticatedSocket(descriptor.address);
    const prefix = frame({ t: 'put', q: descriptor.id, n: 1 }, undefined, 2 ** 31);
    const garbage = Buffer.alloc(64 * 1024 * 1024, 0x41);
    expect(await sendRaw(socket, Buffer.concat([prefix, garbage]), 5000)).to.equal(true);
    const grownMB = (process.memoryUsage().rss - before) / 1024 / 1024;
    // The garbage buffer itself is 64 MB of this process's memory; the owner adds nothing like 2 GiB.
    expect(grownMB).to.be.below(200);
    await expectAllItemsStillThere();
  });

  it('should keep a pipeline to itself: inboxes refuse other users and clients without the authkey', async () => {
    const dir = transportSettings().socketDir;
    // The second producer holds the pipeline open until the attacks are over: on a loaded machine
    // they can take longer than the items do, and an inbox gone with its pipeline refuses nothing.
    const attacksOver = tempFile('attacks-over');
    const results$ = mergeProducers(producer<number>(rx.yieldEach, { args: [Array.from({ length: 300 }, (_, i) => i)] }), producer<number>(targets.yieldThenHold, { args: [[1000, 1001], attacksOver] })).pipe(
      queue({ maxsize: 100 }),
      consume<number, number>(targets.slowDouble, { processes: 2 }),
      toArray(),
    );
    const done = lastValueFrom(results$);
    const inboxes = (): string[] => readdirSync(dir).filter((name) => name.startsWith('inbox-'));
    expect(await waitFor(() => inboxes().length === 2, 10_000)).to.equal(true);
    for (const name of inboxes()) {
      const address = join(dir, name);
      if (nobody) {
        const asNobody = await attack(address, 'request', '', true);
        expect(asNobody.error).to.equal('EACCES');
      }
      const withoutKey = await attack(address, 'request', '', false);
      expect(withoutKey.closedByPeer).to.equal(true);
      expect(withoutKey.bytesReceived).to.be.at.most(CHALLENGE_BYTES);
      // A peer with the key that sends a batch nobody granted it is cut off before decoding.
      const socket = await authenticatedSocket(address);
      expect(await sendRaw(socket, frame({ t: 'batch', p: 0, seq: 999_999 }, serialize(new Array(100_000).fill(-1))))).to.equal(true);
    }
    writeFileSync(attacksOver, '');
    const results = await done;
    const expected = [...Array.from({ length: 300 }, (_, i) => i * 2), 2000, 2002];
    expect(results.sort((a, b) => a - b)).to.deep.equal(expected.sort((a, b) => a - b));
    // The consumers were terminated at completion (daemons): their socket files are removed for them.
    expect(await waitFor(() => inboxes().length === 0, 5000)).to.equal(true);
  });

  it('should remove its socket folder at exit, and a later run the folder of a root killed by SIGKILL', async () => {
    const script = join(ROOT, 'test/fixtures/socket-dir-run.ts');
    const killed = spawn(process.execPath, ['--import', 'tsx', script, 'hang'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const killedDir = await new Promise<string>((resolve) => killed.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('exit', resolve));
    expect(killedDir).to.match(/rxmp-\d+-/);
    expect(existsSync(killedDir), 'a SIGKILLed root cannot remove its folder').to.equal(true);
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    const dir = out.trim();
    expect(dir).to.match(/rxmp-\d+-/);
    expect(existsSync(dir)).to.equal(false);
    expect(existsSync(killedDir)).to.equal(false);
  });
});
