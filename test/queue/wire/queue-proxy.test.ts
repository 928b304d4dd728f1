import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClosedError, QueueFullError, type Queue } from '../../../src/index.js';
import { QUEUE_DESCRIPTOR_KEY, type QueueDescriptor } from '../../../src/internal/protocol.js';
import { QueueClient } from '../../../src/queue/wire/queue-client.js';
import { encodeFrame, FrameDecoder } from '../../../src/queue/wire/frame-codec.js';
import { acceptAuthenticated } from '../../../src/queue/wire/handshake.js';
import type { QueueWireMessage } from '../../../src/internal/protocol.js';
import { ADOPT_QUEUE, TRY_PUT } from '../../../src/internal/symbols.js';
import { Queue as QueueClass } from '../../../src/process/queue.js';
import { rejection } from '../../helpers.js';

function descriptor(address: string, maxsize = 10): QueueDescriptor {
  return { [QUEUE_DESCRIPTOR_KEY]: true, id: 'test.1', address, maxsize, joinable: false };
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
    // A producer child's loop tries first, then puts: the put says what went wrong.
    expect(q[TRY_PUT](1)).to.equal(false);
    expect(() => q.put(1)).to.throw(QueueClosedError);
  });

  it('should accept nothing by TRY_PUT before the owner granted credit, and keep the order of waiting puts', async () => {
    const address = join(tmpdir(), `rxmp-test-${process.pid}-${Date.now()}-credit.sock`);
    const sockets: Socket[] = [];
    server = createServer((socket) => void sockets.push(socket)); // never answers: no credit comes
    await new Promise<void>((resolve) => server?.listen(address, resolve));
    const q = QueueClass[ADOPT_QUEUE](descriptor(address)) as Queue<number>;
    expect(q[TRY_PUT](1)).to.equal(false);
    const waiting = q.put(1, { timeout: 50 });
    expect(q[TRY_PUT](2)).to.equal(false);
    expect(await rejection(waiting)).to.be.instanceOf(QueueFullError);
    for (const socket of sockets) socket.destroy();
  });

  it('should reject with QueueClosedError when the owner cannot be reached at all', async () => {
    const q = QueueClass[ADOPT_QUEUE](descriptor(join(tmpdir(), 'rxmp-no-such-owner.sock'))) as Queue<number>;
    const error = await rejection(q.put(1));
    expect(error).to.be.instanceOf(QueueClosedError).with.property('message').that.matches(/cannot be reached|has exited/);
  });

});


/**
 * An owner that grants every credit asked for and answers every item request at once (items 0, 1,
 * 2, …), recording what the proxy sent.
 */
async function generousOwner(): Promise<{ address: string; server: Server; requests: number[]; givenBack: number[]; sockets: Socket[] }> {
  const address = join(tmpdir(), `rxmp-test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.sock`);
  const requests: number[] = [];
  const givenBack: number[] = [];
  const sockets: Socket[] = [];
  let next = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    const decoder = new FrameDecoder<QueueWireMessage>();
    // It is one of this tree's processes: it challenges the proxy, then serves it.
    acceptAuthenticated(
      socket,
      (rest) => {
        socket.on('data', onData);
        onData(rest);
      },
      () => {},
    );
    const onData = (chunk: Buffer): void => {
      for (const { header } of decoder.push(chunk)) {
        if (header.t === 'want-credit') for (const part of encodeFrame({ t: 'credit', q: header.q, n: header.n, size: 0 })) socket.write(part);
        if (header.t === 'give-back') givenBack.push(header.n);
        if (header.t === 'request') {
          requests.push(header.n);
          const items = Array.from({ length: header.n }, () => next++);
          for (const part of encodeFrame({ t: 'items', q: header.q, n: header.n, size: 0 }, items)) socket.write(part);
        }
      }
    };
  });
  await new Promise<void>((resolve) => server.listen(address, resolve));
  return { address, server, requests, givenBack, sockets };
}

describe('QueueProxy timing rules', () => {
  let owner: Awaited<ReturnType<typeof generousOwner>> | undefined;
  const realNow = Date.now;
  afterEach(() => {
    Date.now = realNow;
    for (const socket of owner?.sockets ?? []) socket.destroy();
    owner?.server.close();
    owner = undefined;
  });

  it('should grow a consumer\'s window while its gets come fast, so it asks for hundreds of items at a time', async () => {
    owner = await generousOwner();
    const q = QueueClass[ADOPT_QUEUE](descriptor(owner.address)) as Queue<number>;
    for (let i = 0; i < 300; i++) expect(await q.get()).to.equal(i);
    expect(owner.requests[0]).to.equal(1);
    expect(Math.max(...owner.requests)).to.be.at.least(256);
  });

  it('should grow the window of a consumer whose items straddle millisecond ticks while taking under 1 ms', async () => {
    owner = await generousOwner();
    const q = QueueClass[ADOPT_QUEUE](descriptor(owner.address)) as Queue<number>;
    let clock = 10_000;
    Date.now = () => clock;
    // Items of 0.5 ms: every other one reads 1 ms. Halving on that reading kept the window at one
    // or two items, and shrank it under items already on their way, which went back to the owner.
    for (let i = 0; i < 400; i++) {
      expect(await q.get()).to.equal(i);
      if (i % 2 === 1) clock++;
    }
    expect(Math.max(...owner.requests)).to.be.at.least(256);
    expect(owner.givenBack).to.deep.equal([]);
  });

  it('should write a put at once when the wall clock was set back since the last put', async () => {
    owner = await generousOwner();
    // A window of 500 slots: the three puts below leave it far from asking for more (a frame too).
    const q = QueueClass[ADOPT_QUEUE](descriptor(owner.address, 1000)) as Queue<number>;
    const socket = QueueClient.for(owner.address).connection.socket;
    let clock = 10_000;
    Date.now = () => clock;
    await q.put(1); // waits for the first credit; written at once (nothing put before)
    clock = 10_001;
    void q.put(2); // 1 ms after a put: batched until the event loop turns
    const batched = socket.bytesWritten;
    clock = 5_000; // set back
    void q.put(3);
    expect(socket.bytesWritten, 'a put after the clock went back is written in the same turn').to.be.above(batched);
  });
});
