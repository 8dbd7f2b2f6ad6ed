/**
 * Read limit: after setReadLimit(p) the reader never consumes past p, however much is
 * published, until clearReadLimit; a padding after p is not skipped, one before p is.
 */
import { describe, expect, it } from 'vitest';
import { RingReader, RingWriter, allocateRing, frameBytes } from '../../native-free-buffers/index.js';
import { beforeWrap, startRingAt } from './support/ring-start.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

describe('read limit', () => {
  it('stops exactly at the limit with more frames published, and goes on once cleared', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    for (let i = 0; i < 6; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    const limit = 3 * frameBytes(8);
    reader.setReadLimit(limit);
    expect(readAll(reader).map((f) => f.type)).toEqual([0, 1, 2]);
    expect(reader.position).toBe(limit);
    expect(reader.tryRead()).toBe(false);
    expect(reader.available()).toBe(3 * frameBytes(8));
    reader.clearReadLimit();
    expect(readAll(reader).map((f) => f.type)).toEqual([3, 4, 5]);
  });

  it('reads nothing when the limit is the current position', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    writer.tryWrite(bytesFrom(0, 8), 1);
    writer.publish();
    reader.setReadLimit(0);
    expect(reader.tryRead()).toBe(false);
    expect(reader.position).toBe(0);
  });

  it('holds at a limit not yet published, then stops there once frames past it arrive', () => {
    const { writer, reader } = openRing({ capacity: 256 }, { publishEveryBytes: Infinity });
    reader.setReadLimit(2 * frameBytes(8));
    writer.tryWrite(bytesFrom(0, 8), 0);
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([0]);
    for (let i = 1; i < 5; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([1]);
    expect(reader.position).toBe(2 * frameBytes(8));
  });

  it('does not skip a padding that lies after the limit, and skips one before it', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 24 });
    writer.tryWrite(bytesFrom(0, 16), 0); // [0, 24)
    writer.tryWrite(bytesFrom(0, 16), 1); // [24, 48)
    writer.publish();
    readAll(reader);
    reader.release();
    writer.tryWrite(bytesFrom(0, 16), 2); // padding [48, 64), frame [64, 88)
    writer.publish();

    reader.setReadLimit(48);
    expect(reader.tryRead()).toBe(false);
    expect(reader.position).toBe(48);
    // A limit at the frame after the padding: the padding is skipped, the frame is not read.
    reader.setReadLimit(64);
    expect(reader.tryRead()).toBe(false);
    expect(reader.position).toBe(64);
    reader.setReadLimit(88);
    expect(readAll(reader).map((f) => f.type)).toEqual([2]);
  });

  it('stops at a limit across the uint32 wrap', () => {
    const ring = allocateRing({ capacity: 128 });
    // Offset 96: three 16-byte frames end exactly at the end of the ring, then at 2^32 + 16.
    const start = beforeWrap(32);
    startRingAt(ring, start);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    for (let i = 0; i < 5; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    const limit = (start + 3 * frameBytes(8)) >>> 0;
    expect(limit).toBe(16);
    reader.setReadLimit(limit);
    expect(readAll(reader).map((f) => f.type)).toEqual([0, 1, 2]);
    expect(reader.position).toBe(16);
    reader.clearReadLimit();
    expect(readAll(reader).map((f) => f.type)).toEqual([3, 4]);
  });
});
