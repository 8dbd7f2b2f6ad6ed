/**
 * The priority lane interleaved with data between two worker threads: a writer posts barrier
 * announcements `{kind, id, position}` between frames while a reader that loads the write
 * position before the lane stops exactly at each announced position (see announce-reader.ts
 * for every check the reader makes).
 */
import { describe, expect, it } from 'vitest';
import { Doorbell, allocateRing } from '../../native-free-buffers/index.js';
import type {
  AnnounceReaderData,
  AnnounceReaderResult,
  AnnounceWriterData,
  AnnounceWriterResult,
} from '../fixtures/buffers/messages.js';
import { damagedRingCanaries, plantRingCanaries } from './support/canaries.js';
import { runFixtures } from './support/workers.js';

describe('priority announcements between two workers', () => {
  it('arrive in order, ahead of queued data, and the reader stops exactly at each announced position', { timeout: 30_000 }, async () => {
    const capacity = 4096;
    const ring = allocateRing({ capacity, maxFrameBytes: 1000, prioritySlots: 2 });
    plantRingCanaries(ring, false);
    const consumerDoorbell = Doorbell.allocate();
    const producerDoorbell = Doorbell.allocate();
    const announcementLog = new SharedArrayBuffer(4 * 65_536);
    const channel = { ring, consumerDoorbell, producerDoorbell, announcementLog };
    const seed = 0xa11_ce;
    const writerData: AnnounceWriterData = {
      ...channel,
      seed,
      targetBytes: 2000 * capacity,
      maxBatchFrames: 24,
      maxFramesBetweenAnnouncements: 40,
      spin: 0,
    };
    const readerData: AnnounceReaderData = { ...channel, seed, spin: 0 };

    const [writer, reader] = (await runFixtures([
      { fixture: 'announce-writer', workerData: writerData },
      { fixture: 'announce-reader', workerData: readerData },
    ])) as [AnnounceWriterResult, AnnounceReaderResult];

    expect(reader.frames).toBe(writer.frames);
    expect(reader.announcements).toBe(writer.announcements);
    expect(writer.bytes / capacity).toBeGreaterThanOrEqual(100);
    expect(writer.announcements).toBeGreaterThan(100);
    // Announcements overtook queued data: the reader learned of them before reaching their position.
    expect(reader.announcementsAhead).toBeGreaterThan(0);
    // The channel state [S, P) of announcements learned ahead was copied and parsed.
    expect(reader.copiedFrames).toBeGreaterThan(0);
    expect(writer.parks + reader.parks).toBeGreaterThan(0);
    expect(damagedRingCanaries(ring, false)).toEqual([]);
  });
});
