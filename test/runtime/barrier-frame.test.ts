/**
 * A barrier frame's payload carries its checkpoint id: what encodeBarrierFrame writes,
 * decodeBarrierFrame reads back, also from inside a larger buffer (as from a ring).
 */
import { describe, expect, it } from 'vitest';
import { decodeBarrierFrame, encodeBarrierFrame } from '../../src/runtime/barrier-frame.js';
import { BARRIER_PAYLOAD_BYTES } from '../../src/runtime/frames.js';

describe('barrier frame', () => {
  it('round-trips checkpoint ids up to uint32', () => {
    for (const id of [0, 1, 7, 255, 256, 65_536, 2 ** 31, 2 ** 32 - 1]) {
      const payload = encodeBarrierFrame(id);
      expect(payload.byteLength).toBe(BARRIER_PAYLOAD_BYTES);
      expect(decodeBarrierFrame(payload)).toBe(id);
    }
  });

  it('is little-endian with a zero reserved word', () => {
    expect([...encodeBarrierFrame(0x01020304)]).toEqual([4, 3, 2, 1, 0, 0, 0, 0]);
  });

  it('reads a payload at an offset inside a larger view', () => {
    const ring = new Uint8Array(64).fill(0xff);
    ring.set(encodeBarrierFrame(42), 13);
    const view = ring.subarray(3);
    expect(decodeBarrierFrame(view, 10)).toBe(42);
  });
});
