/**
 * Handles refuse buffers that are not rings (or doorbells) of this layout: LayoutError (code
 * SLUICE_BUFFER_LAYOUT) for a foreign SharedArrayBuffer, TypeError for anything else.
 */
import { describe, expect, it } from 'vitest';
import {
  BuffersError,
  Doorbell,
  DoorbellRinger,
  LayoutError,
  RingReader,
  RingWriter,
  allocateRing,
  readRingGeometry,
} from '../../native-free-buffers/index.js';

const ringHandles = [
  ['RingWriter', (buffer: SharedArrayBuffer) => new RingWriter(buffer)],
  ['RingReader', (buffer: SharedArrayBuffer) => new RingReader(buffer)],
  ['readRingGeometry', (buffer: SharedArrayBuffer) => readRingGeometry(buffer)],
] as const;

function layoutErrorOf(make: () => unknown): LayoutError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(LayoutError);
    expect(error).toBeInstanceOf(BuffersError);
    expect((error as LayoutError).code).toBe('SLUICE_BUFFER_LAYOUT');
    return error as LayoutError;
  }
  throw new Error('expected a LayoutError');
}

describe('layout errors', () => {
  for (const [name, open] of ringHandles) {
    it(`${name} refuses a SharedArrayBuffer that allocateRing did not make`, () => {
      const size = allocateRing({ capacity: 256 }).byteLength;
      expect(layoutErrorOf(() => open(new SharedArrayBuffer(size))).message).toMatch(/not made by allocateRing/);
      expect(layoutErrorOf(() => open(new SharedArrayBuffer(64))).message).toMatch(/at least/);
      expect(() => open(Doorbell.allocate())).toThrow(LayoutError);
    });

    it(`${name} refuses a ring header copied into a buffer of another size`, () => {
      const ring = allocateRing({ capacity: 256 });
      const larger = new SharedArrayBuffer(ring.byteLength + 256);
      new Uint8Array(larger).set(new Uint8Array(ring));
      expect(layoutErrorOf(() => open(larger)).message).toMatch(/does not match its header/);
    });

    it(`${name} refuses a buffer that is not shared`, () => {
      expect(() => open(new ArrayBuffer(1024) as unknown as SharedArrayBuffer)).toThrow(TypeError);
    });
  }

  it('Doorbell and DoorbellRinger refuse a ring, a small buffer and a plain ArrayBuffer', () => {
    for (const open of [(b: SharedArrayBuffer) => new Doorbell(b), (b: SharedArrayBuffer) => new DoorbellRinger(b)]) {
      expect(layoutErrorOf(() => open(allocateRing({ capacity: 64 }))).message).toMatch(/not made by Doorbell.allocate/);
      expect(layoutErrorOf(() => open(new SharedArrayBuffer(64))).message).toMatch(/needs 128 bytes/);
      expect(() => open(new ArrayBuffer(128) as unknown as SharedArrayBuffer)).toThrow(TypeError);
    }
  });
});
