/**
 * Positions are free-running uint32 byte counters: they grow past the capacity (only masked to
 * find an offset), wrap from 2^32 - 8 to 0 with the ring working on across the wrap, and are
 * compared with positionDiff. Handles attach at the positions stored in the ring's header.
 * The uint32 wrap is reached by starting handles on a ring whose header says it has already
 * carried almost 4 GiB (as handles restarted on a long-used ring find it).
 */
import { describe, expect, it } from 'vitest';
import { RingReader, RingWriter, allocateRing, frameBytes, positionDiff } from '../../native-free-buffers/index.js';
import { beforeWrap, startRingAt } from './support/ring-start.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

const TWO_32 = 2 ** 32;

describe('positions', () => {
  it('run free past the capacity on both sides', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 8 });
    for (let i = 0; i < 100; i++) {
      expect(writer.tryWrite(bytesFrom(i, 8), i)).toBe(true);
      writer.publish();
      expect(reader.tryRead()).toBe(true);
      expect(reader.frameType).toBe(i);
      reader.release();
    }
    expect(writer.position).toBe(100 * 16);
    expect(writer.publishedPosition).toBe(100 * 16);
    expect(reader.position).toBe(100 * 16);
    expect(reader.releasedPosition).toBe(100 * 16);
    expect(reader.writePosition()).toBe(100 * 16);
  });

  it('positionDiff is the signed distance between two uint32 positions, across the wrap', () => {
    expect(positionDiff(5, 3)).toBe(2);
    expect(positionDiff(3, 5)).toBe(-2);
    expect(positionDiff(0, TWO_32 - 8)).toBe(8);
    expect(positionDiff(TWO_32 - 8, 0)).toBe(-8);
    expect(positionDiff(16, TWO_32 - 16)).toBe(32);
    expect(positionDiff(2 ** 31 - 1, 0)).toBe(2 ** 31 - 1);
    expect(positionDiff(0, 0)).toBe(0);
  });

  it('wrap from 2^32 to small numbers while frames keep flowing intact and in order', () => {
    const capacity = 64;
    const ring = allocateRing({ capacity, maxFrameBytes: 24 });
    const start = beforeWrap(40);
    startRingAt(ring, start);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    expect(writer.position).toBe(start);
    expect(reader.position).toBe(start);

    for (let i = 0; i < 20; i++) {
      const before = writer.position;
      expect(writer.tryWrite(bytesFrom(i, 16), i)).toBe(true);
      // One 24-byte frame, after a padding when it did not fit the tail.
      const advance = positionDiff(writer.position, before);
      expect(advance === frameBytes(16) || advance === frameBytes(16) + (capacity - (before % capacity))).toBe(true);
      writer.publish();
      expect(reader.tryRead()).toBe(true);
      expect(reader.frameType).toBe(i);
      expect([...reader.payload()]).toEqual([...bytesFrom(i, 16)]);
      reader.release();
      expect(reader.position).toBe(writer.position);
      expect(reader.releasedPosition).toBe(writer.position);
      expect(writer.position).toBeLessThan(TWO_32);
    }
    // 20 frames of 24 bytes plus padding: well past the wrap.
    expect(writer.position).toBeLessThan(start);
    expect(positionDiff(writer.position, start)).toBeGreaterThanOrEqual(20 * 24);
  });

  it('see a full ring, available bytes and room again across the wrap', () => {
    const capacity = 64;
    const ring = allocateRing({ capacity, maxFrameBytes: 24 });
    startRingAt(ring, beforeWrap(16));
    const writer = new RingWriter(ring, { publishEveryBytes: Infinity });
    const reader = new RingReader(ring);
    // Two 16-byte frames: the first ends exactly at 2^32, the second starts at 0.
    expect(writer.tryWrite(bytesFrom(1, 8), 1)).toBe(true);
    expect(writer.position).toBe(0);
    expect(writer.tryWrite(bytesFrom(2, 8), 2)).toBe(true);
    expect(writer.tryWrite(bytesFrom(3, 8), 3)).toBe(true);
    expect(writer.tryWrite(bytesFrom(4, 8), 4)).toBe(true);
    // 64 bytes written since the release at 2^32 - 16: full.
    expect(writer.tryWrite(bytesFrom(5, 0), 5)).toBe(false);
    expect(writer.publishedPosition).toBe(48);
    expect(reader.available()).toBe(64);
    expect(reader.tryRead()).toBe(true);
    expect(reader.available()).toBe(48);
    reader.release();
    expect(writer.tryWrite(bytesFrom(5, 0), 5)).toBe(true);
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([2, 3, 4, 5]);
    expect(reader.position).toBe(56);
  });

  it('let handles attach to a ring that already carried frames, at the stored positions', () => {
    const ring = allocateRing({ capacity: 256 });
    const firstWriter = new RingWriter(ring);
    const firstReader = new RingReader(ring);
    for (let i = 0; i < 5; i++) firstWriter.tryWrite(bytesFrom(i, 10), i);
    firstWriter.publish();
    firstReader.tryRead();
    firstReader.tryRead();
    firstReader.release();

    // A restarted reader resumes at the released position, a restarted writer at the published one.
    const reader = new RingReader(ring);
    expect(reader.position).toBe(firstReader.releasedPosition);
    expect(readAll(reader).map((f) => f.type)).toEqual([2, 3, 4]);
    const writer = new RingWriter(ring);
    expect(writer.position).toBe(firstWriter.publishedPosition);
    writer.tryWrite(bytesFrom(0, 1), 5);
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([5]);
  });
});
