/**
 * The zstd snapshot container round-trips every input: empty, one byte, around the 1 MiB frame
 * boundary and 20 MiB (far beyond what zstd-codec's 16 MiB heap takes in one call), compressible
 * and incompressible; small random inputs at random frame sizes and levels; and frames decoded
 * independently, in any order, give back the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_FRAME_RAW_BYTES,
  MAX_ZSTD_LEVEL,
  MIN_ZSTD_LEVEL,
  SnapshotCodec,
  compressSnapshot,
  decompressSnapshot,
  readSnapshotIndex,
  zstdCompressBound,
} from '../../src/storage/index.js';
import { compressibleBytes, seededBytes } from './support/files.js';

const MiB = 1 << 20;
const SIZES = [0, 1, MiB - 1, MiB, MiB + 1, 20 * MiB];
const DATA = { compressible: compressibleBytes, random: seededBytes };

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength));
}

describe('snapshot container round trip', () => {
  for (const [kind, generate] of Object.entries(DATA)) {
    for (const size of SIZES) {
      it(`${kind} data, ${size} bytes`, async () => {
        const raw = generate(size, size + 7);
        const container = await compressSnapshot(raw);
        const index = readSnapshotIndex(container);
        expect(index.rawBytes).toBe(size);
        expect(index.frames.length).toBe(Math.ceil(size / MAX_FRAME_RAW_BYTES));
        for (const frame of index.frames) expect(frame.rawBytes).toBeLessThanOrEqual(MAX_FRAME_RAW_BYTES);
        if (kind === 'compressible' && size >= MiB) expect(container.length).toBeLessThan(size / 2);
        if (kind === 'random') expect(container.length).toBeLessThanOrEqual(12 + index.frames.length * (8 + zstdCompressBound(MAX_FRAME_RAW_BYTES)));

        const restored = await decompressSnapshot(container);
        expect(restored.length).toBe(size);
        expect(sameBytes(restored, raw)).toBe(true);
        // The result owns its buffer exactly, so the I/O worker can transfer it whole.
        expect(restored.byteOffset).toBe(0);
        expect(restored.buffer.byteLength).toBe(size);
      });
    }
  }

  it('stores frames uncompressed when asked, in the same container', async () => {
    const raw = compressibleBytes(3 * MiB + 5, 11);
    const container = await compressSnapshot(raw, { store: true });
    const index = readSnapshotIndex(container);
    expect(index.stored).toBe(true);
    expect(index.frames.length).toBe(4);
    expect(container.length).toBe(12 + 4 * 8 + raw.length);
    expect(sameBytes(await decompressSnapshot(container), raw)).toBe(true);
    expect(readSnapshotIndex(await compressSnapshot(raw)).stored).toBe(false);
  });

  it('compresses a view into a larger buffer, not the whole buffer', async () => {
    const backing = seededBytes(3 * MiB, 99);
    const view = backing.subarray(12_345, 12_345 + MiB + 777);
    const restored = await decompressSnapshot(await compressSnapshot(view));
    expect(sameBytes(restored, view)).toBe(true);
  });

  it('round-trips small random inputs at any frame size and level', async () => {
    const codec = await SnapshotCodec.load();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 6000 }),
        fc.integer({ min: 1, max: 2048 }),
        fc.integer({ min: MIN_ZSTD_LEVEL, max: MAX_ZSTD_LEVEL }),
        (raw, frameBytes, level) => {
          const container = codec.compress(raw, { frameBytes, level });
          expect(readSnapshotIndex(container).frames.length).toBe(Math.ceil(raw.length / frameBytes));
          expect(sameBytes(codec.decompress(container), raw)).toBe(true);
        },
      ),
      { numRuns: 150, seed: 20240611 },
    );
  });

  it('decodes frames independently, in any order', async () => {
    const codec = await SnapshotCodec.load();
    const raw = compressibleBytes(5 * MiB + 4321, 5);
    const container = codec.compress(raw);
    const index = readSnapshotIndex(container);
    expect(index.frames.length).toBe(6);
    const into = new Uint8Array(index.rawBytes);
    for (let frame = index.frames.length - 1; frame >= 0; frame--) {
      const content = codec.decompressFrame(container, index, frame);
      const { rawOffset, rawBytes } = index.frames[frame]!;
      expect(sameBytes(content, raw.subarray(rawOffset, rawOffset + rawBytes))).toBe(true);
      codec.decompressFrame(container, index, frame, into);
    }
    expect(sameBytes(into, raw)).toBe(true);
  });

  it('rejects levels and frame sizes that would exhaust the WebAssembly heap', async () => {
    const codec = await SnapshotCodec.load();
    const raw = seededBytes(100, 1);
    expect(() => codec.compress(raw, { level: MAX_ZSTD_LEVEL + 1 })).toThrow(RangeError);
    expect(() => codec.compress(raw, { level: 1.5 })).toThrow(RangeError);
    expect(() => codec.compress(raw, { frameBytes: MAX_FRAME_RAW_BYTES + 1 })).toThrow(RangeError);
    expect(() => codec.compress(raw, { frameBytes: 0 })).toThrow(RangeError);
    // The codec is still usable afterwards.
    expect(sameBytes(codec.decompress(codec.compress(raw)), raw)).toBe(true);
  });

  it('keeps one WebAssembly instance per thread', async () => {
    expect(await SnapshotCodec.load()).toBe(await SnapshotCodec.load());
  });
});
