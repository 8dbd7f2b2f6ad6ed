/**
 * The watermark frame payload: any watermark, including the start and end of time, survives
 * encoding at any offset of a buffer; a short payload is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WATERMARK_PAYLOAD_BYTES } from '../../src/runtime/frames.js';
import { NO_WATERMARK, decodeWatermark, encodeWatermark } from '../../src/runtime/watermarks.js';

describe('watermark frame payload', () => {
  it('round-trips the start and end of time', () => {
    const bytes = new Uint8Array(WATERMARK_PAYLOAD_BYTES);
    for (const wm of [NO_WATERMARK, Infinity, 0, -1]) {
      expect(encodeWatermark(wm, bytes)).toBe(WATERMARK_PAYLOAD_BYTES);
      expect(decodeWatermark(bytes)).toBe(wm);
    }
  });

  it('property: round-trips at any offset of a larger buffer', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.integer({ min: 0, max: 13 }), (wm, offset) => {
        const buffer = new Uint8Array(32);
        encodeWatermark(wm, buffer.subarray(offset));
        expect(decodeWatermark(buffer.subarray(offset, offset + 8))).toBe(wm);
      }),
    );
  });

  it('refuses a short payload', () => {
    expect(() => decodeWatermark(new Uint8Array(4))).toThrow(/8 bytes/);
    expect(() => encodeWatermark(1, new Uint8Array(7))).toThrow(/8 bytes/);
  });
});
