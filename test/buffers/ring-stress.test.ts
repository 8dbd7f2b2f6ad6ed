/**
 * Two worker threads, one writer and one reader, stream a seeded sequence of frames through a
 * small ring many times around it. Both park on their own doorbell (spin 0) whenever they
 * cannot progress; the reader verifies every frame's sequence, size, type, position and bytes.
 */
import { describe, expect, it } from 'vitest';
import { positionDiff } from '../../native-free-buffers/index.js';
import { beforeWrap } from './support/ring-start.js';
import { expectCompleteStream, stress } from './support/stress.js';
import type { StressCase } from './support/stress.js';

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
