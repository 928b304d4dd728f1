import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClosedError, type Queue } from '../../src/index.js';
import { QUEUE_DESCRIPTOR_KEY, type QueueDescriptor } from '../../src/internal/protocol.js';
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
