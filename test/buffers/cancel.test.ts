/**
 * Cancellation: reader.cancel() tells the producer to stop: writer.cancelled turns true, and a
 * write that finds the ring full throws RingCancelledError instead of waiting for room that
 * will never come. cancel() rings the producer's doorbell, so a parked writer wakes to see it.
 */
import { describe, expect, it } from 'vitest';
import { BuffersError, Doorbell, RingCancelledError, RingReader, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import { bytesFrom, openRing } from './support/rings.js';

describe('cancel', () => {
  it('makes the writer see cancelled', () => {
    const { writer, reader } = openRing({ capacity: 64 });
    expect(writer.cancelled).toBe(false);
    reader.cancel();
    expect(writer.cancelled).toBe(true);
    reader.cancel();
    expect(writer.cancelled).toBe(true);
  });

  it('makes a write that finds the ring full throw RingCancelledError', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 8 });
    for (let i = 0; i < 4; i++) writer.tryWrite(bytesFrom(i, 8), i);
    expect(writer.tryWrite(bytesFrom(4, 8), 4)).toBe(false);
    reader.cancel();
    let error: unknown;
    try {
      writer.tryReserve(8);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RingCancelledError);
    expect(error).toBeInstanceOf(BuffersError);
    expect((error as RingCancelledError).code).toBe('SLUICE_RING_CANCELLED');
    expect(() => writer.tryWrite(bytesFrom(4, 8), 4)).toThrow(RingCancelledError);
  });

  it('throws even when the reader released room before cancelling: a cancelled reader reads no more', () => {
    const { writer, reader } = openRing({ capacity: 64, maxFrameBytes: 8 }, { publishEveryBytes: Infinity });
    for (let i = 0; i < 4; i++) writer.tryWrite(bytesFrom(i, 8), i);
    writer.publish();
    reader.tryRead();
    reader.release();
    reader.cancel();
    // The writer's cached read position says full, so it checks the reader's state first.
    expect(() => writer.tryWrite(bytesFrom(4, 8), 4)).toThrow(RingCancelledError);
  });

  it('rings the producer doorbell', () => {
    const producerDoorbell = Doorbell.allocate();
    const bell = new Doorbell(producerDoorbell);
    const ring = allocateRing({ capacity: 64 });
    new RingWriter(ring);
    const reader = new RingReader(ring, { producerDoorbell });
    const before = bell.sample();
    reader.cancel();
    expect(bell.sample()).toBe(before + 1);
  });
});
