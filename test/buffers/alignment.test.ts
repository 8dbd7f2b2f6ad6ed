/**
 * Alignment: every payload offset the writer hands out and the reader returns is a multiple of
 * 8, for every payload size, at every place in the ring, after any number of wraps.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_ALIGN, FRAME_HEADER_BYTES, RingReader, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import { mulberry32 } from '../fixtures/buffers/stream-pattern.js';
import { beforeWrap, startRingAt } from './support/ring-start.js';

describe('8-byte alignment', () => {
  it('aligns the payload of every frame size at every offset of the ring', () => {
    const capacity = 256;
    const maxFrameBytes = capacity / 2 - FRAME_HEADER_BYTES;
    const ring = allocateRing({ capacity, maxFrameBytes });
    // Handles attach at the positions in the header: start them at every 8-aligned offset.
    for (let start = 0; start < capacity; start += FRAME_ALIGN) {
      for (let size = 0; size <= maxFrameBytes; size++) {
        startRingAt(ring, start);
        const writer = new RingWriter(ring);
        const reader = new RingReader(ring);
        const offset = writer.tryReserve(size);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset % FRAME_ALIGN).toBe(0);
        writer.commit(size, 1);
        writer.publish();
        expect(writer.position % FRAME_ALIGN).toBe(0);
        expect(reader.tryRead()).toBe(true);
        expect(reader.frameOffset).toBe(offset);
        expect(reader.frameOffset % FRAME_ALIGN).toBe(0);
      }
    }
  });

  it('keeps payloads aligned through random sizes and batches across the uint32 wrap', () => {
    const capacity = 256;
    const ring = allocateRing({ capacity, maxFrameBytes: 120 });
    startRingAt(ring, beforeWrap(50 * capacity));
    const writer = new RingWriter(ring, { publishEveryBytes: Infinity });
    const reader = new RingReader(ring, { releaseEveryBytes: Infinity });
    const random = mulberry32(42);
    let frames = 0;
    for (let batch = 0; batch < 2_000; batch++) {
      for (let n = random() % 6; n > 0; n--) {
        const reserve = random() % 121;
        const offset = writer.tryReserve(reserve);
        if (offset < 0) break;
        expect(offset % FRAME_ALIGN).toBe(0);
        writer.commit(Math.min(reserve, random() % 3), 0);
      }
      writer.publish();
      while (reader.tryRead()) {
        expect(reader.frameOffset % FRAME_ALIGN).toBe(0);
        frames++;
      }
      reader.release();
    }
    expect(frames).toBeGreaterThan(2_000);
    expect(writer.position).toBeLessThan(beforeWrap(50 * capacity));
  });
});
