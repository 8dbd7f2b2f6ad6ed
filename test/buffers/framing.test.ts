/**
 * Framing: every frame keeps its payload length, its type and its bytes; the ring holds an
 * 8-byte header (length, type; little-endian uint32) before each payload; a frame takes its
 * payload rounded up to 8 plus the header; zero-length frames are frames too.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, MAX_FRAME_TYPE, PADDING_FRAME_TYPE, frameBytes } from '../../native-free-buffers/index.js';
import { bytesFrom, headerAt, openRing, readAll } from './support/rings.js';

describe('framing', () => {
  it('round-trips the length, type and bytes of frames of every size up to the maximum', () => {
    const { writer, reader } = openRing({ capacity: 1024, maxFrameBytes: 200 });
    for (let size = 0; size <= 200; size++) {
      const type = (size * 2_654_435_761) & MAX_FRAME_TYPE;
      expect(writer.tryWrite(bytesFrom(size, size), type)).toBe(true);
      writer.publish();
      expect(reader.tryRead()).toBe(true);
      expect(reader.frameLength).toBe(size);
      expect(reader.frameType).toBe(type);
      expect([...reader.payload()]).toEqual([...bytesFrom(size, size)]);
      expect([...reader.bytes.subarray(reader.frameOffset, reader.frameOffset + size)]).toEqual([...bytesFrom(size, size)]);
      expect(reader.tryRead()).toBe(false);
      reader.release();
    }
  });

  it('writes a little-endian (length, type) header right before each payload', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    writer.tryWrite(bytesFrom(1, 13), 0x1234_5678);
    writer.publish();
    expect(reader.tryRead()).toBe(true);
    expect(headerAt(reader.bytes, reader.frameOffset - FRAME_HEADER_BYTES)).toEqual({ length: 13, type: 0x1234_5678 });
    expect(reader.frameOffset).toBe(FRAME_HEADER_BYTES);
  });

  it('advances the position by the header plus the payload rounded up to 8 bytes', () => {
    expect([0, 1, 7, 8, 9, 16, 17].map(frameBytes)).toEqual([8, 16, 16, 16, 24, 24, 32]);
    const { writer, reader } = openRing({ capacity: 1024 });
    let position = 0;
    for (const size of [0, 1, 7, 8, 9, 16, 17, 100]) {
      writer.tryWrite(new Uint8Array(size), 1);
      position += frameBytes(size);
      expect(writer.position).toBe(position);
    }
    writer.publish();
    let readPosition = 0;
    for (const size of [0, 1, 7, 8, 9, 16, 17, 100]) {
      expect(reader.tryRead()).toBe(true);
      readPosition += frameBytes(size);
      expect(reader.position).toBe(readPosition);
    }
  });

  it('carries zero-length frames, each 8 bytes of header, keeping their types', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    for (let i = 0; i < 20; i++) expect(writer.tryWrite(new Uint8Array(0), i)).toBe(true);
    expect(writer.position).toBe(20 * FRAME_HEADER_BYTES);
    writer.publish();
    const frames = readAll(reader);
    expect(frames.map((f) => f.type)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(frames.every((f) => f.payload.length === 0)).toBe(true);
  });

  it('keeps the full range of user frame types, 0 to 0x7fffffff', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    writer.tryWrite(bytesFrom(0, 3), 0);
    writer.tryWrite(bytesFrom(0, 3), MAX_FRAME_TYPE);
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([0, MAX_FRAME_TYPE]);
  });

  it('rejects frame types outside 0 to 0x7fffffff, the padding type included', () => {
    const { writer } = openRing({ capacity: 256 });
    for (const type of [-1, MAX_FRAME_TYPE + 1, PADDING_FRAME_TYPE]) {
      expect(writer.tryReserve(4)).toBeGreaterThanOrEqual(0);
      expect(() => writer.commit(4, type)).toThrow(RangeError);
    }
    expect(() => writer.tryWrite(new Uint8Array(4), PADDING_FRAME_TYPE)).toThrow(RangeError);
  });

  it('commits a reserved frame shorter than reserved, taking only the committed size', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    const offset = writer.tryReserve(40);
    expect(offset).toBe(FRAME_HEADER_BYTES);
    writer.bytes.set(bytesFrom(9, 11), offset);
    writer.commit(11, 5);
    expect(writer.position).toBe(frameBytes(11));
    // The next frame follows the committed frame, not the reservation.
    expect(writer.tryReserve(4)).toBe(frameBytes(11) + FRAME_HEADER_BYTES);
    writer.commit(4, 6);
    writer.publish();
    const frames = readAll(reader);
    expect(frames.map((f) => [f.type, f.payload.length])).toEqual([
      [5, 11],
      [6, 4],
    ]);
    expect(frames[0]!.payload).toEqual([...bytesFrom(9, 11)]);
  });

  it('rejects a commit larger than the reservation, a commit without one, and bad sizes', () => {
    const { writer } = openRing({ capacity: 256 });
    expect(() => writer.commit(0, 1)).toThrow(/without a frame reserved/);
    writer.tryReserve(8);
    expect(() => writer.commit(9, 1)).toThrow(RangeError);
    writer.commit(8, 1);
    expect(() => writer.commit(0, 1)).toThrow(/without a frame reserved/);
    expect(() => writer.tryReserve(-1)).toThrow(RangeError);
    expect(() => writer.tryReserve(1.5)).toThrow(RangeError);
    expect(() => writer.tryReserve(Number.NaN)).toThrow(RangeError);
  });

  it('returns false from tryRead on an empty ring and leaves the position alone', () => {
    const { reader } = openRing({ capacity: 64 });
    expect(reader.tryRead()).toBe(false);
    expect(reader.position).toBe(0);
    expect(reader.available()).toBe(0);
  });
});
