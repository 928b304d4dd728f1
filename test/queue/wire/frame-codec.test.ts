import { expect } from 'chai';
import { deserialize, serialize } from 'node:v8';
import { SerializationError } from '../../../src/errors/serialization-error.js';
import { encodedItemCount, encodeFrame, encodeItemBodies, FrameDecoder, joinBody, MAX_BODY_BYTES, type Body } from '../../../src/queue/wire/frame-codec.js';
import { ProtocolError } from '../../../src/queue/wire/protocol-error.js';

describe('FrameDecoder', () => {
  it('should reassemble frames from chunks read into one reused buffer', () => {
    const frames = Array.from({ length: 20 }, (_, i) => Buffer.concat(encodeFrame({ i }, [`item-${i}`.repeat(i * 50)])));
    const stream = Buffer.concat(frames);
    const decoder = new FrameDecoder<{ i: number }>();
    const reused = Buffer.alloc(1000);
    const got: [number, string][] = [];
    // Odd read sizes, so frames and even the length prefix are cut anywhere.
    for (let offset = 0, size = 3; offset < stream.length; offset += size, size = (size * 7) % 997 || 5) {
      const bytes = stream.copy(reused, 0, offset, Math.min(stream.length, offset + size));
      for (const { header, body } of decoder.push(reused.subarray(0, bytes), true)) got.push([header.i, (deserialize(body as Buffer) as string[])[0] as string]);
      reused.fill(0xff); // the next read overwrites the buffer: nothing kept may point into it
    }
    expect(got).to.deep.equal(Array.from({ length: 20 }, (_, i) => [i, `item-${i}`.repeat(i * 50)]));
  });

  it('should read a frame larger than the reused buffer straight into its own buffer', () => {
    const sizes = [10, 5000, 20, 30_000, 3, 999, 1001];
    const frames = sizes.map((n, i) => Buffer.concat(encodeFrame({ i }, ['x'.repeat(n)])));
    const stream = Buffer.concat(frames);
    const decoder = new FrameDecoder<{ i: number }>();
    const reused = Buffer.alloc(1000);
    const got: [number, number][] = [];
    let largestTarget = 0;
    for (let offset = 0, size = 7; offset < stream.length; offset += size, size = (size * 13) % 1993 || 11) {
      // As the kernel does: fill what readTarget() offers, at most what is there.
      const target = decoder.readTarget(reused);
      largestTarget = Math.max(largestTarget, target.length);
      size = Math.min(size, target.length);
      const bytes = stream.copy(target, 0, offset, Math.min(stream.length, offset + size));
      for (const { header, body } of decoder.read(bytes, reused)) got.push([header.i, (deserialize(body as Buffer) as string[])[0]?.length ?? -1]);
      reused.fill(0xff);
    }
    expect(got).to.deep.equal(sizes.map((n, i) => [i, n]));
    expect(largestTarget, 'the largest read offered').to.be.greaterThan(reused.length);
  });

  it('should keep a large frame read in fresh chunks in its pieces, with keepPieces', () => {
    const sizes = [10, 200_000, 20, 70_000, 3];
    const stream = Buffer.concat(sizes.map((n, i) => Buffer.concat(encodeFrame({ i }, ['y'.repeat(n)]))));
    const decoder = new FrameDecoder<{ i: number }>({ keepPieces: true });
    const got: [number, number, boolean][] = [];
    for (let offset = 0, size = 5; offset < stream.length; offset += size, size = (size * 31) % 65_537 || 17) {
      // A fresh buffer per read, as a socket's 'data' events give.
      for (const { header, body } of decoder.push(Buffer.from(stream.subarray(offset, offset + size)))) {
        got.push([header.i, (deserialize(joinBody(body as Body)) as string[])[0]?.length ?? -1, Array.isArray(body)]);
      }
    }
    expect(got.map(([i, length]) => [i, length])).to.deep.equal(sizes.map((n, i) => [i, n]));
    expect(got.filter(([, , pieces]) => pieces).map(([i]) => i), 'frames kept in pieces').to.deep.equal([1, 3]);
  });
});


describe('FrameDecoder against a faulty peer', () => {
  const frameOf = (json: string, declared?: number): Buffer => {
    const head = Buffer.from(json);
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32LE(declared ?? 4 + head.length, 0);
    prefix.writeUInt32LE(head.length, 4);
    return Buffer.concat([prefix, head]);
  };

  it('should refuse a frame announced over the limit at its length prefix, before its bytes arrive', () => {
    const decoder = new FrameDecoder<unknown>();
    expect(() => decoder.push(frameOf('{}', 2 ** 31).subarray(0, 4))).to.throw(ProtocolError, /over the limit/);
  });

  for (const [what, json] of [
    ['not JSON', '{"t":'],
    ['null', 'null'],
    ['an array', '[1]'],
    ['a number', '42'],
  ] as const) {
    it(`should refuse a header that is ${what} with ProtocolError`, () => {
      const decoder = new FrameDecoder<unknown>();
      expect(() => decoder.push(frameOf(json))).to.throw(ProtocolError, /header/);
    });
  }

  it('should refuse a header length that runs past its frame', () => {
    const bytes = Buffer.alloc(12);
    bytes.writeUInt32LE(8, 0);
    bytes.writeUInt32LE(60_000, 4);
    expect(() => new FrameDecoder<unknown>().push(bytes)).to.throw(ProtocolError, /header of 60000 bytes/);
  });
});

describe('encodedItemCount', () => {
  it('should read the item count of a batch from its first bytes', () => {
    expect(encodedItemCount(serialize([1, 2, 3]))).to.equal(3);
    expect(encodedItemCount(serialize(Array.from({ length: 300 }, (_, i) => i)))).to.equal(300);
    expect(encodedItemCount(serialize(new Array(70_000).fill('x')))).to.equal(70_000);
    expect(encodedItemCount(serialize([]))).to.equal(0);
  });

  it('should say undefined for what is no array', () => {
    expect(encodedItemCount(serialize({ length: 3 }))).to.equal(undefined);
    expect(encodedItemCount(serialize('abc'))).to.equal(undefined);
    expect(encodedItemCount(Buffer.from([1, 2, 3, 4, 5]))).to.equal(undefined);
  });
});

describe('encodeItemBodies', () => {
  it('should keep a batch in one body when it fits, and split a batch of large items so that each body fits', () => {
    expect(encodeItemBodies([1, 2, 3]).map((part) => part.count)).to.deep.equal([3]);
    const big = (): Buffer => Buffer.alloc(100 * 1024 * 1024, 1);
    const parts = encodeItemBodies([big(), big(), big()]);
    expect(parts.map((part) => part.count)).to.deep.equal([2, 1]);
    for (const part of parts) expect(part.body.length).to.be.at.most(MAX_BODY_BYTES);
  });

  it('should throw SerializationError for one item larger than a frame may carry', () => {
    const huge = Buffer.alloc(MAX_BODY_BYTES + 1024);
    expect(() => encodeItemBodies([huge])).to.throw(SerializationError, /MiB, more than the 256\.0 MiB/);
  });
});
