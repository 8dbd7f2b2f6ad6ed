/**
 * Batching: the reader sees committed frames only once the writer publishes (explicitly, by
 * itself every publishEveryBytes, or when tryReserve finds the ring full); the writer sees
 * space only once the reader releases (explicitly or every releaseEveryBytes). Each publish
 * and release rings the peer's doorbell once, and only when it made something visible.
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, RingReader, RingWriter, allocateRing, frameBytes } from '../../native-free-buffers/index.js';
import { bytesFrom, openRing, readAll } from './support/rings.js';

describe('publish batching', () => {
  it('keeps committed frames invisible to the reader until publish', () => {
    const { writer, reader } = openRing({ capacity: 256 }, { publishEveryBytes: Infinity });
    for (let i = 0; i < 3; i++) writer.tryWrite(bytesFrom(i, 10), i);
    expect(writer.pendingBytes).toBe(3 * frameBytes(10));
    expect(writer.publishedPosition).toBe(0);
    expect(reader.tryRead()).toBe(false);
    expect(reader.available()).toBe(0);
    expect(reader.writePosition()).toBe(0);

    writer.publish();
    expect(writer.pendingBytes).toBe(0);
    expect(writer.publishedPosition).toBe(3 * frameBytes(10));
    expect(reader.available()).toBe(3 * frameBytes(10));
    expect(readAll(reader).map((f) => f.type)).toEqual([0, 1, 2]);
  });

  it('publishes by itself once publishEveryBytes are pending', () => {
    const { writer, reader } = openRing({ capacity: 1024 }, { publishEveryBytes: 64 });
    // Frames of 16 bytes: the fourth brings 64 bytes pending.
    for (let i = 0; i < 3; i++) writer.tryWrite(bytesFrom(i, 8), i);
    expect(writer.pendingBytes).toBe(48);
    expect(reader.tryRead()).toBe(false);
    writer.tryWrite(bytesFrom(3, 8), 3);
    expect(writer.pendingBytes).toBe(0);
    expect(writer.publishedPosition).toBe(64);
    expect(readAll(reader).map((f) => f.type)).toEqual([0, 1, 2, 3]);
    writer.tryWrite(bytesFrom(4, 8), 4);
    expect(reader.tryRead()).toBe(false);
  });

  it('defaults publishEveryBytes to a quarter of the capacity', () => {
    const { writer, reader } = openRing({ capacity: 512 });
    // 128 bytes = 8 frames of 16.
    for (let i = 0; i < 7; i++) writer.tryWrite(bytesFrom(i, 8), i);
    expect(reader.available()).toBe(0);
    writer.tryWrite(bytesFrom(7, 8), 7);
    expect(reader.available()).toBe(128);
  });

  it('publishes what is pending when tryReserve finds the ring full', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 8 }, { publishEveryBytes: Infinity });
    for (let i = 0; i < 4; i++) expect(writer.tryWrite(bytesFrom(i, 8), i)).toBe(true);
    expect(reader.available()).toBe(0);
    expect(writer.tryReserve(8)).toBe(-1);
    expect(writer.pendingBytes).toBe(0);
    expect(readAll(reader).map((f) => f.type)).toEqual([0, 1, 2, 3]);
  });

  it('rings the consumer doorbell once per publish that makes frames visible', () => {
    const consumerDoorbell = Doorbell.allocate();
    const bell = new Doorbell(consumerDoorbell);
    const ring = allocateRing({ capacity: 256 });
    const writer = new RingWriter(ring, { consumerDoorbell, publishEveryBytes: Infinity });
    const before = bell.sample();
    writer.tryWrite(bytesFrom(0, 8), 1);
    writer.tryWrite(bytesFrom(0, 8), 2);
    expect(bell.sample()).toBe(before);
    writer.publish();
    expect(bell.sample()).toBe(before + 1);
    writer.publish(); // nothing pending: no ring
    expect(bell.sample()).toBe(before + 1);
  });

  it('rejects a publishEveryBytes that is not positive', () => {
    const ring = allocateRing({ capacity: 64 });
    for (const publishEveryBytes of [0, -1, Number.NaN]) {
      expect(() => new RingWriter(ring, { publishEveryBytes })).toThrow(RangeError);
    }
  });
});

describe('release batching', () => {
  it('gives space back to the writer only on release', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 8 }, {}, { releaseEveryBytes: Infinity });
    for (let i = 0; i < 4; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    expect(readAll(reader)).toHaveLength(4);
    expect(reader.releasedPosition).toBe(0);
    expect(writer.tryWrite(bytesFrom(4, 8), 4)).toBe(false);
    reader.release();
    expect(reader.releasedPosition).toBe(64);
    expect(writer.tryWrite(bytesFrom(4, 8), 4)).toBe(true);
  });

  it('releases by itself at the next tryRead once releaseEveryBytes were read', () => {
    const { writer, reader } = openRing({ capacity: 256 }, {}, { releaseEveryBytes: 48 });
    for (let i = 0; i < 6; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    reader.tryRead();
    reader.tryRead();
    reader.tryRead(); // 48 bytes read, still held for the current frame
    expect(reader.releasedPosition).toBe(0);
    reader.tryRead(); // releases the 48 bytes before moving on
    expect(reader.releasedPosition).toBe(48);
    reader.tryRead();
    reader.tryRead();
    expect(reader.tryRead()).toBe(false); // releases too, even when there is nothing to read
    expect(reader.releasedPosition).toBe(96);
  });

  it('rings the producer doorbell once per release that frees space', () => {
    const producerDoorbell = Doorbell.allocate();
    const bell = new Doorbell(producerDoorbell);
    const ring = allocateRing({ capacity: 256 });
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, { producerDoorbell, releaseEveryBytes: Infinity });
    writer.tryWrite(bytesFrom(0, 8), 1);
    writer.publish();
    const before = bell.sample();
    reader.release(); // nothing read: no ring
    expect(bell.sample()).toBe(before);
    reader.tryRead();
    reader.release();
    expect(bell.sample()).toBe(before + 1);
    reader.release();
    expect(bell.sample()).toBe(before + 1);
  });

  it('rejects a releaseEveryBytes that is not positive', () => {
    const ring = allocateRing({ capacity: 64 });
    for (const releaseEveryBytes of [0, -1, Number.NaN]) {
      expect(() => new RingReader(ring, { releaseEveryBytes })).toThrow(RangeError);
    }
  });
});
