import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClosedError, type Queue } from '../../src/index.js';
import { QUEUE_DESCRIPTOR_KEY, type QueueDescriptor } from '../../src/internal/protocol.js';
import { nextPrefetchWindow } from '../../src/internal/queue-proxy.js';
import { ADOPT_QUEUE } from '../../src/internal/symbols.js';
import { Queue as QueueClass } from '../../src/process/queue.js';
import { rejection } from '../helpers.js';

function descriptor(address: string): QueueDescriptor {
  return { [QUEUE_DESCRIPTOR_KEY]: true, id: 'test.1', address, maxsize: 10, joinable: false };
}

// A proxy whose owner is gone must fail clearly, never hang.
describe('QueueProxy when its owner is gone', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('should reject pending and later calls with QueueClosedError when the owner closes the connection', async () => {
    const address = join(tmpdir(), `rxmp-test-${process.pid}-${Date.now()}.sock`);
    server = createServer((socket) => setTimeout(() => socket.destroy(), 50));
    await new Promise<void>((resolve) => server?.listen(address, resolve));
    const q = QueueClass[ADOPT_QUEUE](descriptor(address)) as Queue<number>;
    const pending = q.get();
    const error = await rejection(pending);
    expect(error).to.be.instanceOf(QueueClosedError).with.property('message').that.matches(/process that created it has exited/);
    expect(() => q.get()).to.throw(QueueClosedError);
    expect(() => q.putNowait(1)).to.throw(QueueClosedError);
  });

  it('should reject with QueueClosedError when the owner cannot be reached at all', async () => {
    const q = QueueClass[ADOPT_QUEUE](descriptor(join(tmpdir(), 'rxmp-no-such-owner.sock'))) as Queue<number>;
    const error = await rejection(q.put(1));
    expect(error).to.be.instanceOf(QueueClosedError).with.property('message').that.matches(/cannot be reached|has exited/);
  });

  it('should name an unreachable abstract-socket owner printably', async () => {
    const q = QueueClass[ADOPT_QUEUE](descriptor('\0rxmp-no-such-owner')) as Queue<number>;
    const error = await rejection(q.put(1));
    expect(error.message).to.not.include('\0');
    if (process.platform === 'linux') expect(error.message).to.include('@rxmp-no-such-owner');
  });
});

// How a consumer proxy sizes its prefetch from the time an item kept it busy (whole milliseconds).
describe('nextPrefetchWindow', () => {
  it('should double the window after an item under 1 ms, up to 1,024', () => {
    expect(nextPrefetchWindow(1, 0)).to.equal(2);
    expect(nextPrefetchWindow(256, 0)).to.equal(512);
    expect(nextPrefetchWindow(1024, 0)).to.equal(1024);
  });

  it('should halve the window after an item over 1 ms, down to one item', () => {
    expect(nextPrefetchWindow(1024, 2)).to.equal(512);
    expect(nextPrefetchWindow(3, 50)).to.equal(1);
    expect(nextPrefetchWindow(1, 50)).to.equal(1);
    expect(nextPrefetchWindow(64, Infinity)).to.equal(32);
  });

  it('should keep the window when the reading of 1 ms cannot tell under from over', () => {
    expect(nextPrefetchWindow(64, 1)).to.equal(64);
  });

  it('should bring any window to one within a dozen slow items, and back to 1,024 within a dozen fast ones', () => {
    let window = 1024;
    for (let i = 0; i < 12; i++) window = nextPrefetchWindow(window, 5);
    expect(window).to.equal(1);
    for (let i = 0; i < 12; i++) window = nextPrefetchWindow(window, 0);
    expect(window).to.equal(1024);
  });
});
