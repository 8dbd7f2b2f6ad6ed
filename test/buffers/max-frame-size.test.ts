/**
 * Maximum frame size: a payload above the ring's maxFrameBytes is refused with a
 * FrameTooLargeError naming both sizes; a payload of exactly maxFrameBytes always fits an empty
 * ring, wherever its write offset is (maxFrameBytes is at most half the capacity less the header).
 */
import { describe, expect, it } from 'vitest';
import {
  BuffersError,
  FRAME_HEADER_BYTES,
  FrameTooLargeError,
  RingReader,
  RingWriter,
  allocateRing,
} from '../../native-free-buffers/index.js';
import { startRingAt } from './support/ring-start.js';
import { openRing } from './support/rings.js';

describe('maximum frame size', () => {
  it('refuses a payload one byte over the maximum with an error naming both sizes', () => {
    const { writer } = openRing({ capacity: 1024, maxFrameBytes: 300 });
    expect(writer.maxFrameBytes).toBe(300);
    let error: unknown;
    try {
      writer.tryReserve(301);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toBeInstanceOf(BuffersError);
    const tooLarge = error as FrameTooLargeError;
    expect(tooLarge.code).toBe('SLUICE_FRAME_TOO_LARGE');
    expect(tooLarge.name).toBe('FrameTooLargeError');
    expect(tooLarge.message).toContain('301 bytes');
    expect(tooLarge.message).toContain('300 bytes');
    // Nothing was written.
    expect(writer.position).toBe(0);
  });

  it('refuses an oversized tryWrite the same way', () => {
    const { writer } = openRing({ capacity: 256 });
    const max = 256 / 4 - FRAME_HEADER_BYTES;
    expect(writer.maxFrameBytes).toBe(max);
    expect(() => writer.tryWrite(new Uint8Array(max + 1))).toThrow(FrameTooLargeError);
    expect(() => writer.tryWrite(new Uint8Array(max + 1))).toThrow(new RegExp(`${max + 1} bytes.*${max} bytes`));
    expect(writer.tryWrite(new Uint8Array(max))).toBe(true);
  });

  it('fits a frame of exactly the largest allowed size in an empty ring at every write offset', () => {
    const capacity = 128;
    const largest = capacity / 2 - FRAME_HEADER_BYTES;
    const ring = allocateRing({ capacity, maxFrameBytes: largest });
    for (let start = 0; start < capacity; start += 8) {
      startRingAt(ring, start);
      const writer = new RingWriter(ring);
      const reader = new RingReader(ring);
      expect(writer.tryWrite(new Uint8Array(largest).fill(start), 9)).toBe(true);
      writer.publish();
      expect(reader.tryRead()).toBe(true);
      expect(reader.frameLength).toBe(largest);
      expect(reader.payload().every((b) => b === start)).toBe(true);
    }
  });

  it('allows only empty frames on a ring made with maxFrameBytes 0', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 0 });
    expect(writer.tryWrite(new Uint8Array(0), 1)).toBe(true);
    expect(() => writer.tryReserve(1)).toThrow(FrameTooLargeError);
    writer.publish();
    expect(reader.tryRead()).toBe(true);
    expect(reader.frameLength).toBe(0);
  });
});
