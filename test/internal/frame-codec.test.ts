import { expect } from 'chai';
import { deserialize } from 'node:v8';
import { encodeFrame, FrameDecoder, joinBody, type Body } from '../../src/internal/frame-codec.js';

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

