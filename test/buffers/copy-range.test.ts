/**
 * copyRange copies the ring's bytes between two positions (frames and padding as they lie in
 * the ring, across its end) without consuming them, and refuses any range outside the bytes
 * that are both published and not yet released.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, PADDING_FRAME_TYPE, RingReader, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import type { RingReaderOptions } from '../../native-free-buffers/index.js';
import { beforeWrap, startRingAt } from './support/ring-start.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

/** The little-endian bytes of a frame header. */
function header(length: number, type: number): number[] {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, true);
  view.setUint32(4, type, true);
  return [...bytes];
}

/**
 * A 128-byte ring whose positions start at `start` (offset 96): frame A (16 bytes) at
 * [96, 120), padding at [120, 128), frame B (8 bytes) at [128, 144) = offset 0.
 */
function straddlingRing(start: number, readerOptions: RingReaderOptions = {}) {
  const ring = allocateRing({ capacity: 128, maxFrameBytes: 56 });
  startRingAt(ring, start);
  const writer = new RingWriter(ring);
  const reader = new RingReader(ring, readerOptions);
  writer.tryWrite(bytesFrom(0xa0, 16), 0xa);
  writer.tryWrite(bytesFrom(0xb0, 8), 0xb);
  writer.publish();
  // The exact bytes of [start, start + 48): A, the padding's header (its body is stale), B.
  const expected = [...header(16, 0xa), ...bytesFrom(0xa0, 16), ...header(0, PADDING_FRAME_TYPE), ...header(8, 0xb), ...bytesFrom(0xb0, 8)];
  return { writer, reader, expected };
}

describe('copyRange', () => {
  for (const [name, start] of [
    ['a wrap of the ring', 96],
    ['a wrap of the ring and of the uint32 positions', beforeWrap(32)],
  ] as const) {
    it(`copies the exact bytes between two positions across ${name}`, () => {
      const { reader, expected } = straddlingRing(start);
      expect(reader.writePosition()).toBe((start + 48) >>> 0);
      const target = new Uint8Array(48);
      expect(reader.copyRange(start, (start + 48) >>> 0, target)).toBe(48);
      expect([...target]).toEqual(expected);
      // Any sub-range, including ones that start or end inside a frame.
      for (const [from, to] of [
        [4, 44],
        [20, 36],
        [24, 32],
        [31, 33],
        [0, 0],
      ] as const) {
        const part = new Uint8Array(to - from);
        expect(reader.copyRange((start + from) >>> 0, (start + to) >>> 0, part)).toBe(to - from);
        expect([...part]).toEqual(expected.slice(from, to));
      }
    });
  }

  it('consumes nothing: positions stay and the frames are still read afterwards', () => {
    const { reader } = straddlingRing(96);
    reader.copyRange(96, 144, new Uint8Array(48));
    expect(reader.position).toBe(96);
    expect(reader.releasedPosition).toBe(96);
    expect(readAll(reader).map((f) => f.type)).toEqual([0xa, 0xb]);
  });

  it('copies at targetOffset and leaves the rest of the target alone', () => {
    const { reader, expected } = straddlingRing(96);
    const target = new Uint8Array(64).fill(0xee);
    expect(reader.copyRange(120, 144, target, 10)).toBe(24);
    expect([...target.subarray(10, 34)]).toEqual(expected.slice(24, 48));
    expect(target.subarray(0, 10).every((b) => b === 0xee)).toBe(true);
    expect(target.subarray(34).every((b) => b === 0xee)).toBe(true);
  });

  it('copies bytes already read but not yet released', () => {
    const { reader, expected } = straddlingRing(96, { releaseEveryBytes: Infinity });
    expect(readAll(reader)).toHaveLength(2);
    expect(reader.releasedPosition).toBe(96);
    const target = new Uint8Array(48);
    reader.copyRange(96, 144, target);
    expect([...target]).toEqual(expected);
  });

  it('rejects ranges that start before the released position', () => {
    const { reader } = straddlingRing(96);
    reader.tryRead();
    reader.release(); // released: 120
    expect(() => reader.copyRange(96, 144, new Uint8Array(48))).toThrow(RangeError);
    expect(() => reader.copyRange(112, 144, new Uint8Array(48))).toThrow(/outside the unreleased bytes \[120, 144\)/);
    expect(reader.copyRange(120, 144, new Uint8Array(24))).toBe(24);
  });

  it('rejects ranges that end past the published write position, unpublished frames included', () => {
    const { writer, reader } = openRing({ capacity: 256 }, { publishEveryBytes: Infinity });
    writer.tryWrite(bytesFrom(0, 8), 1);
    writer.publish();
    writer.tryWrite(bytesFrom(0, 8), 2); // committed, not published
    expect(writer.position).toBe(32);
    expect(() => reader.copyRange(0, 32, new Uint8Array(32))).toThrow(RangeError);
    expect(() => reader.copyRange(0, 24, new Uint8Array(32))).toThrow(RangeError);
    expect(reader.copyRange(0, 16, new Uint8Array(16))).toBe(16);
    writer.publish();
    expect(reader.copyRange(0, 32, new Uint8Array(32))).toBe(32);
  });

  it('rejects a range that ends before it starts, and a target too small', () => {
    const { reader } = straddlingRing(96);
    expect(() => reader.copyRange(120, 112, new Uint8Array(48))).toThrow(RangeError);
    expect(() => reader.copyRange(96, 144, new Uint8Array(47))).toThrow(/needs 48 bytes of target, 47 available/);
    expect(() => reader.copyRange(96, 144, new Uint8Array(48), 1)).toThrow(RangeError);
  });

  it('copies a frame header at the positions the reader reports', () => {
    const { reader } = straddlingRing(96);
    reader.tryRead();
    reader.tryRead(); // B, after the padding
    const target = new Uint8Array(FRAME_HEADER_BYTES);
    reader.copyRange(128, 136, target);
    expect([...target]).toEqual(header(8, 0xb));
  });
});
