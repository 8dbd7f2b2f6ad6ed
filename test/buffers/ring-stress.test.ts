/**
 * Two worker threads, one writer and one reader, stream a seeded sequence of frames through a
 * small ring many times around it. Both park on their own doorbell (spin 0) whenever they
 * cannot progress; the reader verifies every frame's sequence, size, type, position and bytes.
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, allocateRing, positionDiff } from '../../native-free-buffers/index.js';
import type { StressReaderData, StressReaderResult, StressWriterData, StressWriterResult } from '../fixtures/buffers/messages.js';
import { damagedDoorbellCanaries, damagedRingCanaries, plantDoorbellCanaries, plantRingCanaries } from './support/canaries.js';
import { beforeWrap, startRingAt } from './support/ring-start.js';
import { runFixtures } from './support/workers.js';

interface StressCase {
  readonly seed: number;
  readonly capacity: number;
  readonly maxFrameBytes: number;
  readonly trips: number;
  readonly startPosition: number;
  readonly publishEveryBytes: number;
  readonly releaseEveryBytes: number;
  readonly maxBatchFrames: number;
  readonly maxReadBatch: number;
  readonly waitAsync: boolean;
}

async function stress(c: StressCase): Promise<{ writer: StressWriterResult; reader: StressReaderResult }> {
  const ring = allocateRing({ capacity: c.capacity, maxFrameBytes: c.maxFrameBytes, prioritySlots: 4 });
  startRingAt(ring, c.startPosition);
  const consumerDoorbell = Doorbell.allocate();
  const producerDoorbell = Doorbell.allocate();
  expect(plantRingCanaries(ring, true)).toBeGreaterThan(0);
  plantDoorbellCanaries(consumerDoorbell);
  plantDoorbellCanaries(producerDoorbell);

  const channel = { ring, consumerDoorbell, producerDoorbell };
  const writerData: StressWriterData = {
    ...channel,
    seed: c.seed,
    targetBytes: c.trips * c.capacity,
    maxBatchFrames: c.maxBatchFrames,
    publishEveryBytes: c.publishEveryBytes,
    spin: 0,
  };
  const readerData: StressReaderData = {
    ...channel,
    seed: c.seed,
    maxReadBatch: c.maxReadBatch,
    releaseEveryBytes: c.releaseEveryBytes,
    spin: 0,
    waitAsync: c.waitAsync,
  };
  const [writer, reader] = (await runFixtures([
    { fixture: 'stress-writer', workerData: writerData },
    { fixture: 'stress-reader', workerData: readerData },
  ])) as [StressWriterResult, StressReaderResult];

  expect(damagedRingCanaries(ring, true)).toEqual([]);
  expect(damagedDoorbellCanaries(consumerDoorbell)).toEqual([]);
  expect(damagedDoorbellCanaries(producerDoorbell)).toEqual([]);
  return { writer, reader };
}

function expectCompleteStream(c: StressCase, writer: StressWriterResult, reader: StressReaderResult): void {
  expect(writer.startPosition).toBe(c.startPosition);
  // Every frame arrived, in order and intact (the reader verified each one), and nothing else did.
  expect(reader.frames).toBe(writer.frames);
  expect(reader.bytes).toBe(writer.bytes);
  expect(reader.endPosition).toBe(writer.endPosition);
  expect(reader.finished).toBe(true);
  expect(writer.bytes / c.capacity).toBeGreaterThanOrEqual(100);
  // Frames straddled the end of the ring, and the ring ran full and empty.
  expect(reader.paddingFrames).toBeGreaterThan(0);
  expect(writer.fullWaits).toBeGreaterThan(0);
  expect(writer.parks + reader.parks).toBeGreaterThan(0);
}

describe('two-worker ring stress', () => {
  it('delivers every frame intact over 100+ trips around a 4 KiB ring, both sides parking with wait', { timeout: 30_000 }, async () => {
    const c: StressCase = {
      seed: 0x5eed_0001,
      capacity: 4096,
      maxFrameBytes: 2040,
      trips: 2000,
      startPosition: 0,
      publishEveryBytes: 1024,
      releaseEveryBytes: 1024,
      maxBatchFrames: 16,
      maxReadBatch: 32,
      waitAsync: false,
    };
    const { writer, reader } = await stress(c);
    expectCompleteStream(c, writer, reader);
  });

  it('delivers every frame intact across the uint32 position wrap, the reader parking with waitAsync', { timeout: 30_000 }, async () => {
    const c: StressCase = {
      seed: 0x5eed_0002,
      capacity: 2048,
      maxFrameBytes: 1016,
      trips: 2000,
      startPosition: beforeWrap(20 * 2048 + 40),
      publishEveryBytes: 300,
      releaseEveryBytes: 700,
      maxBatchFrames: 8,
      maxReadBatch: 8,
      waitAsync: true,
    };
    const { writer, reader } = await stress(c);
    expectCompleteStream(c, writer, reader);
    // The free-running positions went through 2^32 and came out small.
    expect(writer.endPosition).toBeLessThan(c.startPosition);
    expect(positionDiff(writer.endPosition, c.startPosition)).toBe(writer.bytes);
  });

  it('delivers every frame intact through a 256-byte ring, frames of up to 120 bytes', { timeout: 30_000 }, async () => {
    const c: StressCase = {
      seed: 0x5eed_0003,
      capacity: 256,
      maxFrameBytes: 120,
      trips: 8000,
      startPosition: 0,
      publishEveryBytes: 64,
      releaseEveryBytes: 64,
      maxBatchFrames: 4,
      maxReadBatch: 4,
      waitAsync: false,
    };
    const { writer, reader } = await stress(c);
    expectCompleteStream(c, writer, reader);
  });
});
