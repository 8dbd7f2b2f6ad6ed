/**
 * allocateRing validates its options and lays out header, priority lane and data region:
 * capacity a power of two from 64 B to 1 GiB, maxFrameBytes an integer from 0 to half the
 * capacity less the header, prioritySlots a power of two from 1 to 1024.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, allocateRing, readRingGeometry, ringHeaderBytes } from '../../native-free-buffers/index.js';

describe('allocateRing', () => {
  it('rejects a capacity that is not a power of two, naming it', () => {
    for (const capacity of [1000, 96, 0, -64, 64.5, Number.NaN]) {
      expect(() => allocateRing({ capacity })).toThrow(RangeError);
    }
    expect(() => allocateRing({ capacity: 1000 })).toThrow(/capacity must be a power of two, got 1000/);
  });

  it('rejects a power-of-two capacity below 64 bytes or above 1 GiB', () => {
    expect(() => allocateRing({ capacity: 32 })).toThrow(/between 64 and 1073741824 bytes, got 32/);
    expect(() => allocateRing({ capacity: 2 ** 31 })).toThrow(RangeError);
    expect(readRingGeometry(allocateRing({ capacity: 64 })).capacity).toBe(64);
  });

  it('defaults maxFrameBytes to a quarter of the capacity less the frame header', () => {
    expect(readRingGeometry(allocateRing({ capacity: 4096 })).maxFrameBytes).toBe(1024 - FRAME_HEADER_BYTES);
  });

  it('accepts maxFrameBytes from 0 to half the capacity less the header, and nothing else', () => {
    const capacity = 1024;
    const largest = capacity / 2 - FRAME_HEADER_BYTES;
    expect(readRingGeometry(allocateRing({ capacity, maxFrameBytes: largest })).maxFrameBytes).toBe(largest);
    expect(readRingGeometry(allocateRing({ capacity, maxFrameBytes: 0 })).maxFrameBytes).toBe(0);
    for (const maxFrameBytes of [largest + 1, -1, 10.5, Number.NaN]) {
      expect(() => allocateRing({ capacity, maxFrameBytes })).toThrow(RangeError);
    }
    expect(() => allocateRing({ capacity, maxFrameBytes: largest + 1 })).toThrow(
      new RegExp(`from 0 to ${largest} .*capacity ${capacity}.*got ${largest + 1}`),
    );
  });

  it('accepts prioritySlots that are powers of two from 1 to 1024, and nothing else', () => {
    for (const prioritySlots of [1, 2, 8, 1024]) {
      expect(readRingGeometry(allocateRing({ capacity: 64, prioritySlots })).prioritySlots).toBe(prioritySlots);
    }
    for (const prioritySlots of [0, 3, 2048, -8, 1.5]) {
      expect(() => allocateRing({ capacity: 64, prioritySlots })).toThrow(RangeError);
    }
    expect(() => allocateRing({ capacity: 64, prioritySlots: 3 })).toThrow(/prioritySlots must be a power of two from 1 to 1024, got 3/);
  });

  it('sizes the buffer as header and priority lane, rounded to 64 bytes, plus the capacity', () => {
    for (const prioritySlots of [1, 8, 16, 1024]) {
      const ring = allocateRing({ capacity: 256, prioritySlots });
      const geometry = readRingGeometry(ring);
      expect(geometry.headerBytes).toBe(ringHeaderBytes(prioritySlots));
      expect(geometry.headerBytes % 64).toBe(0);
      expect(geometry.headerBytes).toBeGreaterThanOrEqual(320 + 16 * prioritySlots);
      expect(ring.byteLength).toBe(geometry.headerBytes + 256);
    }
    expect(readRingGeometry(allocateRing({ capacity: 64 })).prioritySlots).toBe(8);
  });
});
