/**
 * A reservation that does not fit the ring's tail pads the tail first; when the ring then has no
 * room for the frame, the padding stays and the writer's position is past it, beyond the last
 * data frame. That position is still a frame boundary, which is what the position rule needs
 * of the position an unaligned barrier announcement carries: a reader stops exactly there
 * after every frame before it (the padding skipped), a copy of the bytes up to it parses to
 * exactly those frames, and the next frame written begins there.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, FrameParser, frameBytes } from '../../native-free-buffers/index.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

describe('a reservation that padded the tail and then found the ring full', () => {
  it('leaves the writer at a frame boundary that readers, copies and the next frame all agree on', () => {
    // 64-byte ring: A at [0, 24), B at [24, 48); a 16-byte payload needs 24 bytes, the tail has 16.
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 24 });
    expect(writer.tryWrite(bytesFrom(0xa0, 16), 0xa)).toBe(true);
    expect(writer.tryWrite(bytesFrom(0xb0, 16), 0xb)).toBe(true);
    expect(writer.position).toBe(2 * frameBytes(16));

    expect(writer.tryReserve(16)).toBe(-1);
    // The tail was padded before the ring turned out full: the position is past the padding.
    expect(writer.position).toBe(64);
    const announced = writer.position; // what an unaligned barrier announcement would carry
    expect(writer.tryPostPriority(1, 7, announced)).toBe(true);
    writer.publish();

    // A consumer snapshotting after it read A: the in-flight bytes up to the announced position
    // are B and the padding, and they parse to B alone.
    expect(reader.tryRead()).toBe(true);
    expect(reader.frameType).toBe(0xa);
    const from = reader.position;
    const copy = new Uint8Array(announced - from);
    expect(reader.copyRange(from, announced, copy)).toBe(copy.byteLength);
    const parser = new FrameParser(copy);
    const persisted: number[] = [];
    while (parser.next()) persisted.push(parser.frameType);
    expect(persisted).toEqual([0xb]);

    // Reading on, the reader passes B and the padding and stops exactly at the announced position.
    expect(readAll(reader).map((frame) => frame.type)).toEqual([0xb]);
    expect(reader.position).toBe(announced);
    reader.release();

    // The next frame begins at the announced position: everything after it is after the barrier.
    expect(writer.tryWrite(bytesFrom(0xc0, 16), 0xc)).toBe(true);
    writer.publish();
    expect(reader.tryRead()).toBe(true);
    expect(reader.frameType).toBe(0xc);
    // Its header lies at the announced position (offset 0 of the data region, one lap on).
    expect(reader.frameOffset - FRAME_HEADER_BYTES).toBe(announced % 64);
  });
});
