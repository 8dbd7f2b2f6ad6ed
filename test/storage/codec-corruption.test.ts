/**
 * A damaged container is rejected with a SnapshotCodecError (code SLUICE_SNAPSHOT_CODEC) that
 * says what is wrong — never a wrong result of the wrong length, never an abort of the
 * WebAssembly module — and the codec keeps working afterwards.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_HEADER_BYTES, SNAPSHOT_INDEX_ENTRY_BYTES, SnapshotCodec, SnapshotCodecError, readSnapshotIndex } from '../../src/storage/index.js';
import { compressibleBytes } from './support/files.js';

const MiB = 1 << 20;
let codec: SnapshotCodec;
let raw: Uint8Array;
let container: Uint8Array;

beforeAll(async () => {
  codec = await SnapshotCodec.load();
  raw = compressibleBytes(2 * MiB + 100, 3);
  container = codec.compress(raw);
});

function damaged(change: (copy: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = container.slice();
  change(copy, new DataView(copy.buffer));
  return copy;
}

function expectCodecError(bytes: Uint8Array, message: RegExp): void {
  let thrown: unknown;
  try {
    codec.decompress(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SnapshotCodecError);
  expect((thrown as SnapshotCodecError).code).toBe('SLUICE_SNAPSHOT_CODEC');
  expect((thrown as Error).message).toMatch(message);
}

describe('a corrupt snapshot container', () => {
  it('with a wrong magic', () => expectCodecError(damaged((copy) => (copy[0] = 0x00)), /magic/));
  it('of another version', () => expectCodecError(damaged((_, view) => view.setUint16(4, 2, true)), /version 2/));
  it('with unknown flags', () => expectCodecError(damaged((_, view) => view.setUint16(6, 2, true)), /flags/));
  it('of zstd frames marked as stored', () => expectCodecError(damaged((_, view) => view.setUint16(6, 1, true)), /claims/));
  it('shorter than its header', () => expectCodecError(container.subarray(0, 7), /header/));
  it('truncated by one byte', () => expectCodecError(container.subarray(0, container.length - 1), /truncated/));
  it('with bytes after the last frame', () => {
    const longer = new Uint8Array(container.length + 1);
    longer.set(container);
    expectCodecError(longer, /after its last frame/);
  });
  it('whose index claims a frame larger than 1 MiB', () =>
    expectCodecError(damaged((_, view) => view.setUint32(SNAPSHOT_HEADER_BYTES + 4, MiB + 1, true)), /raw bytes, outside/));
  it("whose index disagrees with a frame's declared content size", () =>
    expectCodecError(damaged((_, view) => view.setUint32(SNAPSHOT_HEADER_BYTES + 4, MiB - 1, true)), /declares 1048576 bytes/));
  it('whose frame is not a zstd frame', () => {
    const firstFrame = readSnapshotIndex(container).frames[0]!.compressedOffset;
    expectCodecError(damaged((copy) => (copy[firstFrame] = 0x00)), /no valid zstd frame header/);
  });
  it('whose frame has an undecodable block', () => {
    const second = readSnapshotIndex(container).frames[1]!;
    // Frame header: magic (4), descriptor (1), window (1), content size (4 for 1 MiB); the first
    // block header follows. All-ones bits make its block type 3, which zstd reserves.
    const blockHeader = second.compressedOffset + 10;
    expect(container[second.compressedOffset + 4]).toBe(0x80); // content size in 4 bytes, not single-segment
    expectCodecError(
      damaged((copy) => copy.fill(0xff, blockHeader, blockHeader + 3)),
      /frame 1 of 3 is corrupt/,
    );
  });

  it('with any one byte of its header or index changed', () => {
    const indexEnd = SNAPSHOT_HEADER_BYTES + readSnapshotIndex(container).frames.length * SNAPSHOT_INDEX_ENTRY_BYTES;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: indexEnd - 1 }), fc.integer({ min: 1, max: 255 }), (offset, xor) => {
        expect(() => codec.decompress(damaged((copy) => (copy[offset]! ^= xor)))).toThrow(SnapshotCodecError);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('leaves the codec working', () => {
    expect(() => codec.decompress(damaged((copy) => (copy[0] = 0)))).toThrow(SnapshotCodecError);
    const restored = codec.decompress(container);
    expect(Buffer.from(restored).equals(Buffer.from(raw))).toBe(true);
  });
});
