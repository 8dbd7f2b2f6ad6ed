/**
 * Release hold: after holdRelease(p), releasing frees nothing at or after p, so bytes read
 * since p can still be copied and the writer cannot overwrite them, until clearReleaseHold.
 */
import { describe, expect, it } from 'vitest';
import { frameBytes } from '../../native-free-buffers/index.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

describe('release hold', () => {
  it('keeps read bytes from the hold position in the ring, copyable and safe from the writer', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 8 });
    for (let i = 0; i < 4; i++) writer.tryWrite(bytesFrom(i * 16, 8), i); // 16 bytes each: full
    writer.publish();
    reader.holdRelease(16);
    expect(readAll(reader)).toHaveLength(4);
    reader.release();
    expect(reader.releasedPosition).toBe(16);
    // Only the first frame's 16 bytes are free.
    expect(writer.tryWrite(bytesFrom(0xf0, 8), 4)).toBe(true);
    expect(writer.tryWrite(bytesFrom(0xf0, 8), 5)).toBe(false);
    // The held bytes are intact and copyable.
    const copy = new Uint8Array(48);
    reader.copyRange(16, 64, copy);
    for (let i = 1; i < 4; i++) expect([...copy.subarray((i - 1) * 16 + 8, i * 16)]).toEqual([...bytesFrom(i * 16, 8)]);

    reader.clearReleaseHold();
    reader.release();
    expect(reader.releasedPosition).toBe(64);
    expect(writer.tryWrite(bytesFrom(0, 8), 5)).toBe(true);
  });

  it('holds even a single 8-byte frame read past the hold position', () => {
    const { writer, reader } = openRing({ capacity: 256 }, {}, { releaseEveryBytes: Infinity });
    writer.tryWrite(bytesFrom(0, 8), 0);
    writer.tryWrite(new Uint8Array(0), 1); // 8 bytes: [16, 24)
    writer.publish();
    reader.tryRead();
    reader.holdRelease(16);
    reader.tryRead();
    reader.release();
    expect(reader.releasedPosition).toBe(16);
  });

  it('holds automatic releases too', () => {
    const { writer, reader } = openRing({ capacity: 256 }, {}, { releaseEveryBytes: 16 });
    for (let i = 0; i < 6; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    reader.holdRelease(2 * frameBytes(8));
    readAll(reader);
    expect(reader.releasedPosition).toBe(2 * frameBytes(8));
  });

  it('releases up to the read position when the hold lies beyond it', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    for (let i = 0; i < 4; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    reader.holdRelease(48);
    reader.tryRead();
    reader.release();
    expect(reader.releasedPosition).toBe(16);
  });

  it('refuses to hold bytes that are already released', () => {
    const { writer, reader } = openRing({ capacity: 256 });
    for (let i = 0; i < 4; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    reader.tryRead();
    reader.tryRead();
    reader.release();
    expect(() => reader.holdRelease(16)).toThrow(RangeError);
    expect(() => reader.holdRelease(16)).toThrow(/already released/);
    expect(() => reader.holdRelease(32)).not.toThrow();
  });
});
