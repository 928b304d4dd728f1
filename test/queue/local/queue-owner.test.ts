import { expect } from 'chai';
import { deserialize, serialize } from 'node:v8';
import { EMPTY, QueueCore } from '../../../src/queue/local/queue-core.js';
import { QueueOwner } from '../../../src/queue/local/queue-owner.js';
import type { QueueConnection } from '../../../src/queue/wire/queue-connection.js';
import type { QueueWireMessage } from '../../../src/internal/protocol.js';

/** A connection that records the item frames the owner sends, decoded as a proxy would decode them. */
function recordingConnection(): { connection: QueueConnection; received: number[][] } {
  const received: number[][] = [];
  const record = (message: QueueWireMessage, items: number[]): void => {
    if (message.t === 'items') received.push(items);
  };
  const connection = {
    send: (message: QueueWireMessage, items?: readonly number[]) => record(message, [...(items ?? [])]),
    sendEncoded: (message: QueueWireMessage, body: Buffer) => record(message, deserialize(body) as number[]),
  };
  return { connection: connection as unknown as QueueConnection, received };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function drain(core: QueueCore<number>): number[] {
  const items: number[] = [];
  for (let item = core.poll(); item !== EMPTY; item = core.poll()) items.push(item);
  return items;
}

/** An owner whose queue holds items 0..n-1, put as one batch by a producer proxy. */
async function ownerHolding(n: number) {
  const core = new QueueCore<number>(100);
  const owner = new QueueOwner<number>('q', core);
  const producer = recordingConnection();
  const consumer = recordingConnection();
  owner.handle(producer.connection, { t: 'want-credit', q: 'q', n }, undefined);
  await turn();
  owner.handle(producer.connection, { t: 'put', q: 'q', n }, serialize(range(0, n)));
  return { core, owner, producer, consumer };
}

describe('QueueOwner', () => {
  it('should forward a batch put by one proxy to another unchanged, and take it apart only for a smaller request', async () => {
    const { core, owner, producer, consumer } = await ownerHolding(20);
    expect(core.size).to.equal(20);
    owner.handle(consumer.connection, { t: 'request', q: 'q', n: 20 }, undefined);
    await turn();
    expect(consumer.received).to.deep.equal([range(0, 20)]);
    owner.handle(producer.connection, { t: 'want-credit', q: 'q', n: 10 }, undefined);
    await turn();
    owner.handle(producer.connection, { t: 'put', q: 'q', n: 10 }, serialize(range(20, 30)));
    owner.handle(consumer.connection, { t: 'request', q: 'q', n: 4 }, undefined);
    await turn();
    expect(consumer.received[1]).to.deep.equal(range(20, 24));
    expect(drain(core)).to.deep.equal(range(24, 30));
  });

  it('should put back, in order, what a proxy gave back and what it had not taken when it went away', async () => {
    const { core, owner, consumer } = await ownerHolding(10);
    owner.handle(consumer.connection, { t: 'request', q: 'q', n: 10 }, undefined);
    await turn();
    expect(consumer.received).to.deep.equal([range(0, 10)]);
    expect(core.size).to.equal(0);
    // The consumer took 3, gave the last 4 back (a get gave up), then died holding 3..5.
    owner.handle(consumer.connection, { t: 'took', q: 'q', n: 3 }, undefined);
    owner.handle(consumer.connection, { t: 'give-back', q: 'q', n: 4 }, serialize(range(6, 10)));
    expect(core.size).to.equal(4);
    owner.disconnect(consumer.connection);
    expect(core.size).to.equal(7);
    expect(drain(core)).to.deep.equal(range(3, 10));
    expect(core.unfinished).to.equal(10);
  });

  it('should put back at the head what a dead proxy got and had not marked done, when the queue redelivers', async () => {
    const core = new QueueCore<number>(100);
    const owner = new QueueOwner<number>('q', core, undefined, true);
    const producer = recordingConnection();
    const consumer = recordingConnection();
    owner.handle(producer.connection, { t: 'want-credit', q: 'q', n: 10 }, undefined);
    await turn();
    owner.handle(producer.connection, { t: 'put', q: 'q', n: 10 }, serialize(range(0, 10)));
    owner.handle(consumer.connection, { t: 'request', q: 'q', n: 6 }, undefined);
    await turn();
    expect(consumer.received).to.deep.equal([range(0, 6)]);
    // It got 0..3 and marked 0 and 1 done; 2 and 3 were in its user code, 4 and 5 not yet taken.
    owner.handle(consumer.connection, { t: 'took', q: 'q', n: 4 }, undefined);
    owner.handle(consumer.connection, { t: 'done', q: 'q', n: 2 }, undefined);
    expect(core.unfinished).to.equal(8);
    owner.disconnect(consumer.connection);
    expect(owner.redelivered).to.equal(2);
    expect(drain(core)).to.deep.equal(range(2, 10));
    expect(core.unfinished).to.equal(8);
  });

  it("should count the owner's own taskDone() beyond the items it got against the oldest item a proxy took", async () => {
    const core = new QueueCore<number>(100);
    const owner = new QueueOwner<number>('q', core, undefined, true);
    const consumer = recordingConnection();
    for (const item of range(0, 4)) core.offer(item);
    owner.handle(consumer.connection, { t: 'request', q: 'q', n: 3 }, undefined);
    await turn();
    owner.handle(consumer.connection, { t: 'took', q: 'q', n: 3 }, undefined);
    // The owner got item 3 itself: its first taskDone is its own, the next two are the proxy's 0 and 1.
    expect(core.poll()).to.equal(3);
    for (let i = 0; i < 3; i++) {
      owner.localTaskDone();
      core.taskDone();
    }
    owner.disconnect(consumer.connection);
    expect(owner.redelivered).to.equal(1);
    expect(drain(core)).to.deep.equal([2]);
    expect(core.unfinished).to.equal(1);
  });

  it('should keep nothing a proxy took when the queue does not redeliver (Python\'s rule, and every plain Queue)', async () => {
    const { core, owner, consumer } = await ownerHolding(4);
    owner.handle(consumer.connection, { t: 'request', q: 'q', n: 4 }, undefined);
    await turn();
    owner.handle(consumer.connection, { t: 'took', q: 'q', n: 2 }, undefined);
    owner.disconnect(consumer.connection);
    expect(owner.redelivered).to.equal(0);
    expect(drain(core)).to.deep.equal([2, 3]);
  });

  it('should share slots that free up one at a time among steady producers, in turns', async () => {
    const core = new QueueCore<number>(4);
    const owner = new QueueOwner<number>('q', core);
    const granted = { a: [] as number[], b: [] as number[] };
    // Two producers as a sole producer's proxy behaves: a window of the whole queue (4), asked for
    // again when what it holds and has asked for falls below half; what it is granted it puts at once.
    const asked = { a: 4, b: 4 };
    const producer = (name: 'a' | 'b'): QueueConnection =>
      ({
        send: (message: QueueWireMessage) => {
          if (message.t !== 'credit') return;
          granted[name].push(message.n);
          asked[name] -= message.n;
          setImmediate(() => {
            owner.handle(connections[name], { t: 'put', q: 'q', n: message.n }, serialize(range(0, message.n)));
            if (asked[name] < 2) {
              owner.handle(connections[name], { t: 'want-credit', q: 'q', n: 4 - asked[name] }, undefined);
              asked[name] = 4;
            }
          });
        },
      }) as unknown as QueueConnection;
    const connections = { a: producer('a'), b: producer('b') };
    owner.handle(connections.a, { t: 'want-credit', q: 'q', n: 4 }, undefined);
    owner.handle(connections.b, { t: 'want-credit', q: 'q', n: 4 }, undefined);
    await turn();
    for (let i = 0; i < 16; i++) {
      core.poll(); // a consumer in the owner's process takes one item: one slot frees up
      owner.scheduleDrain();
      await turn();
    }
    const sum = (grants: number[]): number => grants.reduce((a, b) => a + b, 0);
    expect(sum(granted.a) + sum(granted.b), 'slots granted').to.be.at.least(16);
    expect(Math.min(sum(granted.a), sum(granted.b)), `grants: ${JSON.stringify(granted)}`).to.be.at.least(6);
  });
});
