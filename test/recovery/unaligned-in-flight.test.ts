/**
 * Unaligned checkpoints under backpressure persist in-flight data, and a restore replays it.
 * The job's keyed operator is slower than its source and its 16 KiB channels are full, so an
 * unaligned barrier overtakes queued records: the checkpoint stores them (non-zero
 * `persistedInFlightBytes`). After an injected failure the job restores such a checkpoint; in
 * the final attempt the keyed operator then takes more records than the sources emit in it (the
 * difference came from the checkpoint's channel state), and the output is exact. The same job
 * with aligned checkpoints persists no in-flight bytes and replays nothing. Only counts and
 * bytes are compared, never times.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMode } from '../../src/checkpoint/checkpoint-mode.js';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  TALLY,
  buildPipeline,
  committedLines,
  completed,
  expectedLines,
  multisetDifference,
  replayedRecords,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

/** Heavier backpressure than the default: the queues never drain between checkpoints. */
const JOB = { ...BACKPRESSURED, name: 'in-flight', costMicros: 20, count: 60_000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

async function runWithOneFailure(mode: CheckpointMode) {
  const output = path.join(tmp.path, `${mode}-out`);
  const log = new EventLog();
  const result = await buildPipeline(JOB, transactionalLines(output)).execute({
    checkpoints: { mode, intervalMs: 25, dir: path.join(tmp.path, `${mode}-checkpoints`) },
    restart: { type: 'fixed-delay', attempts: 1, delayMs: 10 },
    // Late enough that several checkpoints completed under backpressure.
    faults: [{ operator: TALLY, subtask: 1, kind: 'exit', afterRecords: 12_000 }],
    onEvent: log.onEvent,
  });
  expect(result.restarts).toBe(1);
  const [restored, ...more] = log.of('restored');
  expect(more).toEqual([]);
  const restoredStats = completed(result).find((stats) => stats.id === restored!.checkpointId);
  expect(restoredStats).toBeDefined();
  expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  return { result, restoredStats: restoredStats! };
}

describe('in-flight data under backpressure', () => {
  it('unaligned checkpoints persist it, and a restore replays it exactly once', async () => {
    const { result, restoredStats } = await runWithOneFailure('unaligned');

    const checkpoints = completed(result);
    expect(checkpoints.some((stats) => stats.persistedInFlightBytes > 0)).toBe(true);
    // The checkpoint restored held in-flight data ...
    expect(restoredStats.persistedInFlightBytes).toBeGreaterThan(0);
    expect(restoredStats.subtasks.every((stats) => stats.unaligned)).toBe(true);
    // ... which reached the keyed operator again: more records in than the sources emitted.
    expect(replayedRecords(result)).toBeGreaterThan(0);
    // The checkpoint-level figure is the sum of its subtasks'.
    for (const stats of checkpoints) {
      expect(stats.persistedInFlightBytes).toBe(stats.subtasks.reduce((sum, subtask) => sum + subtask.persistedInFlightBytes, 0));
    }
  });

  it('aligned checkpoints of the same job persist none and replay nothing', async () => {
    const { result } = await runWithOneFailure('aligned');

    const checkpoints = completed(result);
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.map((stats) => stats.persistedInFlightBytes)).toEqual(checkpoints.map(() => 0));
    expect(checkpoints.flatMap((stats) => stats.subtasks).every((stats) => !stats.unaligned)).toBe(true);
    expect(replayedRecords(result)).toBe(0);
  });
});
