/**
 * FrameParser walks frames copied out of a ring with copyRange: the same frames, types and
 * payloads, padding skipped; and it refuses truncated input.
 */
import { describe, expect, it } from 'vitest';
import { FrameParser, PADDING_FRAME_TYPE, RingReader, RingWriter, allocateRing, frameBytes } from '../../native-free-buffers/index.js';
import { beforeWrap, startRingAt } from './support/ring-start.js';
import { bytesFrom } from './support/rings.js';

function parseAll(bytes: Uint8Array): { type: number; payload: number[]; offset: number }[] {
  const parser = new FrameParser(bytes);
  const frames: { type: number; payload: number[]; offset: number }[] = [];
  while (parser.next()) {
    frames.push({
      type: parser.frameType,
      payload: [...parser.bytes.subarray(parser.frameOffset, parser.frameOffset + parser.frameLength)],
      offset: parser.frameOffset,
    });
  }
  return frames;
}

describe('FrameParser', () => {
  it('reproduces the frames of a copyRange that spans paddings and the uint32 wrap', () => {
    const capacity = 256;
    const ring = allocateRing({ capacity, maxFrameBytes: 120 });
    const start = beforeWrap(104);
    startRingAt(ring, start);
    const writer = new RingWriter(ring, { publishEveryBytes: Infinity });
    const reader = new RingReader(ring);
    const written: { type: number; payload: number[] }[] = [];
    let frameBytesWritten = 0;
    // Fill the ring from offset 152: a frame straddles its end, behind a padding.
    for (let i = 0; i < 30; i++) {
      const payload = bytesFrom(i * 7, (i * 37) % 61);
      if (!writer.tryWrite(payload, i)) break;
      written.push({ type: i, payload: [...payload] });
      frameBytesWritten += frameBytes(payload.length);
    }
    writer.publish();
    const end = reader.writePosition();
    const window = new Uint8Array(((end - start) >>> 0));
    reader.copyRange(start, end, window);
    expect(parseAll(window).map(({ type, payload }) => ({ type, payload }))).toEqual(written);
    expect(written.length).toBeGreaterThan(3);
    // The window held a padding, and crossed 2^32.
    expect(window.length).toBeGreaterThan(frameBytesWritten);
    expect(end).toBeLessThan(start);
  });

  it('reports payload offsets relative to the bytes it was given, also for a view into a larger buffer', () => {
    const backing = new Uint8Array(64).fill(0x55);
    const view = new DataView(backing.buffer);
    view.setUint32(16, 3, true);
    view.setUint32(20, 77, true);
    backing.set([1, 2, 3], 24);
    const frames = parseAll(backing.subarray(16, 32));
    expect(frames).toEqual([{ type: 77, payload: [1, 2, 3], offset: 8 }]);
  });

  it('skips padding frames and ends cleanly on empty input', () => {
    expect(new FrameParser(new Uint8Array(0)).next()).toBe(false);
    const bytes = new Uint8Array(40);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 8, true);
    view.setUint32(4, PADDING_FRAME_TYPE, true);
    view.setUint32(16, 0, true);
    view.setUint32(20, 5, true);
    view.setUint32(24, 0, true);
    view.setUint32(28, PADDING_FRAME_TYPE, true);
    view.setUint32(32, 0, true);
    view.setUint32(36, 6, true);
    expect(parseAll(bytes).map((f) => f.type)).toEqual([5, 6]);
  });

  it('throws on a truncated header or a payload that runs past the end', () => {
    expect(() => new FrameParser(new Uint8Array(4)).next()).toThrow(/truncated frame header/);
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint32(0, 9, true); // needs 8 + 16 bytes
    expect(() => new FrameParser(bytes).next()).toThrow(/claims 9 payload bytes, only 8 remain/);
  });
});
