/**
 * Aligned-with-timeout checkpoints keep completing after they switch to unaligned under
 * backpressure. With a 1 ms alignment timeout the keyed operator snapshots unaligned while the
 * sources' aligned barriers still wait behind full channels and behind output the sources could
 * not write yet: more in-flight data than a channel holds. The operator must copy what it
 * consumes meanwhile instead of keeping it in the ring, or the ring fills up before the source
 * can write its barrier, the barrier's position never becomes known, and neither that checkpoint
 * nor any later one completes (nor does the channel move) until the checkpoint times out.
 *
 * The sources are unbounded, so nothing but the checkpoint's own progress could end such a
 * stall. The wait is bounded only to turn a hang into a failure; no duration is asserted.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, storage } from './support/compiled.js';
import { BACKPRESSURED, buildPipeline, temporaryDirectory } from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'alignment-timeouts', count: Infinity, perRecord: false };
/** Checkpoints that must complete, most of them switched to unaligned. */
const WANTED = 5;
/** Longer than any healthy run of this test by far; a stalled checkpoint never ends before it. */
const HANG_MS = 30_000;

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('aligned-timeout checkpoints under backpressure', () => {
  it('keep completing after switching to unaligned', async () => {
    const checkpointRoot = path.join(tmp.path, 'checkpoints');
    const pipeline = buildPipeline(JOB, sluice.discardSink());
    const running = pipeline.execute({
      // timeoutMs beyond the wait: only a checkpoint that completes can make room for the next.
      checkpoints: { mode: 'aligned-timeout', alignmentTimeoutMs: 1, intervalMs: 20, timeoutMs: 2 * HANG_MS, retain: 100, dir: checkpointRoot },
    });
    running.catch(() => {}); // cancelled below
    const checkpoints = new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name });
    let completed = await checkpoints.list();
    const giveUpAt = performance.now() + HANG_MS;
    try {
      while (completed.length < WANTED && performance.now() < giveUpAt) {
        await sleep(20);
        completed = await checkpoints.list();
      }
    } finally {
      pipeline.cancel();
      await running.catch(() => {});
    }
    expect(completed.length).toBeGreaterThanOrEqual(WANTED);
    // They switched to unaligned on the way: the case that stalled.
    const switched = completed.filter((checkpoint) => checkpoint.metadata.subtasks.some((subtask) => subtask.stats['unaligned'] === true));
    expect(switched.length).toBeGreaterThan(0);
  });
});
