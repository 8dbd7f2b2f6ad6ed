/**
 * Wrap-around: a frame that does not fit between the write offset and the end of the data
 * region goes to offset 0, and the writer fills that tail with one padding frame (type
 * 0xffffffff, length tail - 8) that readers skip. Nothing is lost or reordered.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, PADDING_FRAME_TYPE, frameBytes } from '../../native-free-buffers/index.js';
import { findPayloadMismatch, fillPayload, mulberry32 } from '../fixtures/buffers/stream-pattern.js';
import { bytesFrom, headerAt, openRing, readAll } from './support/rings.js';

describe('wrap-around with padding', () => {
  it('puts a frame that straddles the end at offset 0 behind a padding frame', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 24 });
    // Two frames of 24 bytes: the write offset is 48, leaving a tail of 16.
    writer.tryWrite(bytesFrom(1, 16), 1);
    writer.tryWrite(bytesFrom(2, 16), 2);
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([1, 2]);
    reader.release();

    const offset = writer.tryReserve(16);
    expect(offset).toBe(FRAME_HEADER_BYTES);
    writer.bytes.set(bytesFrom(3, 16), offset);
    writer.commit(16, 3);
    // Padding frame at 48 covering the 16-byte tail, then the frame at 0.
    expect(headerAt(writer.bytes, 48)).toEqual({ length: 16 - FRAME_HEADER_BYTES, type: PADDING_FRAME_TYPE });
    expect(writer.position).toBe(64 + 24);
    writer.publish();

    expect(reader.tryRead()).toBe(true);
    expect(reader.frameType).toBe(3);
    expect(reader.frameOffset).toBe(FRAME_HEADER_BYTES);
    expect([...reader.payload()]).toEqual([...bytesFrom(3, 16)]);
    expect(reader.position).toBe(64 + 24);
    expect(reader.tryRead()).toBe(false);
  });

  it('does not pad when a frame fits the tail exactly', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 24 });
    writer.tryWrite(bytesFrom(0, 24), 1); // 32 bytes
    writer.tryWrite(bytesFrom(0, 16), 2); // 24 bytes: offset 56, tail 8
    writer.publish();
    readAll(reader);
    reader.release();
    expect(writer.tryReserve(0)).toBe(56 + FRAME_HEADER_BYTES);
    writer.commit(0, 3);
    expect(writer.position).toBe(64);
    expect(writer.tryReserve(8)).toBe(FRAME_HEADER_BYTES);
    writer.commit(8, 4);
    writer.publish();
    const frames = readAll(reader);
    expect(frames.map((f) => [f.type, f.offset])).toEqual([
      [3, 56 + FRAME_HEADER_BYTES],
      [4, FRAME_HEADER_BYTES],
    ]);
  });

  it('pads by the reserved size: a frame reserved too large for the tail wraps even if committed shorter', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 24 });
    writer.tryWrite(bytesFrom(0, 24), 1);
    writer.publish();
    readAll(reader);
    reader.release();
    // Offset 32, tail 32: a 24-byte reservation (32 bytes) fits, a committed 0-byte frame stays there.
    expect(writer.tryReserve(24)).toBe(32 + FRAME_HEADER_BYTES);
    writer.commit(0, 2);
    // Offset 40, tail 24: a 24-byte reservation needs 32 bytes and wraps.
    expect(writer.tryReserve(24)).toBe(FRAME_HEADER_BYTES);
    writer.commit(1, 3);
    expect(headerAt(writer.bytes, 40)).toEqual({ length: 24 - FRAME_HEADER_BYTES, type: PADDING_FRAME_TYPE });
    writer.publish();
    expect(readAll(reader).map((f) => f.type)).toEqual([2, 3]);
  });

  it('publishes the padding when the frame itself has no room yet, and places the frame at 0 once it has', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 24 }, { publishEveryBytes: Infinity });
    writer.tryWrite(bytesFrom(0, 16), 1); // [0, 24)
    writer.tryWrite(bytesFrom(0, 16), 2); // [24, 48)
    writer.publish();
    expect(reader.tryRead()).toBe(true);
    reader.release();
    expect(reader.tryRead()).toBe(true);
    // [0, 24) is free and so is the tail [48, 64); a 24-byte frame needs 32 bytes, which fit neither.
    expect(writer.tryReserve(24)).toBe(-1);
    // The padding was laid down and published so the reader can skip it.
    expect(writer.position).toBe(64);
    expect(writer.publishedPosition).toBe(64);
    expect(reader.tryRead()).toBe(false);
    expect(reader.position).toBe(64);
    reader.release();
    expect(writer.tryReserve(24)).toBe(FRAME_HEADER_BYTES);
    writer.commit(24, 3);
    writer.publish();
    expect(readAll(reader).map((f) => [f.type, f.offset])).toEqual([[3, FRAME_HEADER_BYTES]]);
  });

  it('loses and reorders nothing over 2,000 trips around a 64-byte ring', () => {
    const capacity = 64;
    const { writer, reader } = openRing({ capacity, maxFrameBytes: 24 });
    const random = mulberry32(7);
    const sizes: number[] = [];
    let written = 0;
    let read = 0;
    let paddings = 0;
    let lastEnd = 0;
    let size = random() % 25;
    while (writer.position < 2_000 * capacity) {
      // A frame the ring had no room for is retried with the same size.
      const offset = writer.tryReserve(size);
      if (offset >= 0) {
        fillPayload(writer.bytes, offset, size, 7, written);
        writer.commit(size, written & 0x7fff_ffff);
        sizes.push(size);
        written++;
        size = random() % 25;
      }
      if (offset < 0 || random() % 3 === 0) {
        writer.publish();
        while (reader.tryRead()) {
          expect(reader.frameType).toBe(read);
          expect(reader.frameLength).toBe(sizes[read]);
          expect(findPayloadMismatch(reader.bytes, reader.frameOffset, reader.frameLength, 7, read)).toBe(-1);
          const start = reader.position - frameBytes(reader.frameLength);
          if (start !== lastEnd) {
            paddings++;
            // A gap is exactly the tail up to the end of the ring.
            expect(start % capacity).toBe(0);
            expect(start - lastEnd).toBeLessThan(frameBytes(reader.frameLength));
          }
          lastEnd = reader.position;
          read++;
        }
        reader.release();
      }
    }
    writer.publish();
    while (reader.tryRead()) read++;
    expect(read).toBe(written);
    expect(paddings).toBeGreaterThan(100);
  });
});
