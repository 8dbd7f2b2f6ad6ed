/**
 * The two-worker ring stress harness: a writer and a reader thread stream a seeded sequence of
 * frames through a ring (fixtures stress-writer and stress-reader), with canaries around the
 * header, and the checks every complete stream must pass.
 */
import { expect } from 'vitest';
import { Doorbell, allocateRing } from '../../../native-free-buffers/index.js';
import type { StressReaderData, StressReaderResult, StressWriterData, StressWriterResult } from '../../fixtures/buffers/messages.js';
import { damagedDoorbellCanaries, damagedRingCanaries, plantDoorbellCanaries, plantRingCanaries } from './canaries.js';
import { startRingAt } from './ring-start.js';
import { runFixtures } from './workers.js';

/** One stress run: ring geometry, batching on both sides, how far to go. */
export interface StressCase {
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
  /** Buffer debloating limits the reader sets as it goes (see StressReaderData). */
  readonly inFlightLimits?: StressReaderData['inFlightLimits'];
}

/** Runs the writer and reader threads to the end of the stream; checks the canaries. */
export async function stress(c: StressCase): Promise<{ writer: StressWriterResult; reader: StressReaderResult }> {
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
    ...(c.inFlightLimits ? { inFlightLimits: c.inFlightLimits } : {}),
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

/** Every frame arrived intact and in order, the ring wrapped, ran full and empty, and someone parked. */
export function expectCompleteStream(c: StressCase, writer: StressWriterResult, reader: StressReaderResult): void {
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

