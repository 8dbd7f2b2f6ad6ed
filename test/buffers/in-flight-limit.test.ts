/**
 * Buffer debloating in the ring: the consumer sets an in-flight limit, the producer keeps at
 * most that many bytes written and not yet released, an empty ring takes a frame whatever the
 * limit (no deadlock below a frame's size), and raising the limit rings the producer. Under two
 * worker threads with limits changing every few hundred frames — some below the largest frame —
 * every frame arrives intact, and once a limit has settled the bytes in flight stay within it
 * (plus the frame that made the ring non-empty).
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, RingReader, RingWriter, allocateRing, frameBytes } from '../../native-free-buffers/index.js';
import { expectCompleteStream, stress } from './support/stress.js';
import type { StressCase } from './support/stress.js';

function channel(capacity = 4096, maxFrameBytes = 1016) {
  const ring = allocateRing({ capacity, maxFrameBytes });
  const producerDoorbell = Doorbell.allocate();
  const writer = new RingWriter(ring, { consumerDoorbell: Doorbell.allocate(), publishEveryBytes: Infinity });
  const reader = new RingReader(ring, { producerDoorbell, releaseEveryBytes: Infinity });
  return { writer, reader, producerBell: new Doorbell(producerDoorbell) };
}

/** Writes frames of `payload` bytes until the ring refuses one; returns how many it took. */
function fill(writer: RingWriter, payload: number): number {
  let frames = 0;
  while (writer.tryWrite(new Uint8Array(payload), 1)) frames++;
  return frames;
}

describe('in-flight limit', () => {
  it('is the capacity until the consumer sets one', () => {
    const { writer, reader } = channel();
    expect(reader.inFlightLimit).toBe(4096);
    expect(writer.inFlightLimit).toBe(4096);
    expect(fill(writer, 120)).toBe(4096 / frameBytes(120));
  });

  it('keeps the producer within the limit, counted from the released position', () => {
    const { writer, reader } = channel();
    reader.setInFlightLimit(1024);
    writer.publish(); // the writer takes a new limit when it publishes
    expect(fill(writer, 120)).toBe(1024 / frameBytes(120));
    // Read and release two frames: two more fit.
    expect(reader.tryRead() && reader.tryRead()).toBe(true);
    reader.release();
    expect(fill(writer, 120)).toBe(2);
  });

  it('lets an empty ring take a frame larger than the limit, one at a time', () => {
    const { writer, reader } = channel();
    reader.setInFlightLimit(64);
    writer.publish();
    expect(fill(writer, 1000)).toBe(1);
    expect(reader.tryRead()).toBe(true);
    reader.release();
    expect(fill(writer, 1000)).toBe(1);
  });

  it('rings the producer when it rises, not when it falls; 0 means the whole capacity', () => {
    const { reader, producerBell } = channel();
    const before = producerBell.sample();
    reader.setInFlightLimit(512);
    expect(producerBell.sample()).toBe(before);
    reader.setInFlightLimit(2048);
    expect(producerBell.sample()).toBe(before + 1);
    reader.setInFlightLimit(0);
    expect(reader.inFlightLimit).toBe(4096);
    reader.setInFlightLimit(1 << 20);
    expect(reader.inFlightLimit).toBe(4096);
    expect(() => reader.setInFlightLimit(-1)).toThrow('in-flight limit must be a non-negative integer of bytes, got -1');
  });
});

describe('in-flight limit under two threads', () => {
  it('delivers every frame while the limit changes, and keeps settled limits', { timeout: 30_000 }, async () => {
    const limits = [4096, 2048, 512, 64, 1024, 0];
    const c: StressCase = {
      seed: 0x5eed_0b10,
      capacity: 4096,
      maxFrameBytes: 1016,
      trips: 1500,
      startPosition: 0,
      publishEveryBytes: 512,
      releaseEveryBytes: 512,
      maxBatchFrames: 8,
      maxReadBatch: 16,
      waitAsync: false,
      inFlightLimits: { everyFrames: 400, limits },
    };
    const { writer, reader } = await stress(c);
    expectCompleteStream(c, writer, reader);
    const observed = reader.inFlight!;
    expect(observed.length).toBeGreaterThan(limits.length * 3);
    // The largest frame with its header, and the tail padding that can come before it.
    const oneFrame = frameBytes(1016) * 2;
    for (const { limit, maxInFlight } of observed) {
      const effective = limit === 0 ? c.capacity : limit;
      expect(maxInFlight, `in flight under a limit of ${limit}`).toBeLessThanOrEqual(Math.max(effective, oneFrame));
    }
    // Small limits really held the stream back: less in flight than under the whole capacity.
    const small = observed.filter(({ limit }) => limit === 512).map(({ maxInFlight }) => maxInFlight);
    const whole = observed.filter(({ limit }) => limit === 0 || limit === 4096).map(({ maxInFlight }) => maxInFlight);
    expect(Math.max(...small)).toBeLessThan(Math.max(...whole));
  });
});
