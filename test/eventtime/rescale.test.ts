/**
 * Event time restored at another parallelism: the windowed count of exactly-once.test.ts (window
 * operator, and event-time timers in a process function) runs with the counting operator at
 * parallelism `from`, fails once its second checkpoint is acknowledged, and is restored from the
 * latest checkpoint at parallelism `to`. The generator keeps parallelism 2: a source subtask that
 * took over several old splits would interleave them, and records of a split behind the others
 * would be late for the watermark its generator derives from them all (sluice's watermarks are
 * per source subtask, not per split; see docs/design.md). Windows and timers move with their key groups, persisted in-flight records
 * (unaligned) are re-routed with their event times, and the new subtasks start from the smallest
 * old watermark: the two runs together commit exactly the windows of one failure-free run.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMode } from '../../src/checkpoint/checkpoint-mode.js';
import { EventLog, NO_DIFFERENCE, committedLines, failureOf, multisetDifference, temporaryDirectory } from '../recovery/support/jobs.js';
import { storage } from '../recovery/support/compiled.js';
import { expectedWindowLines } from './support/reference.js';
import { COUNT, windowedCountJob } from './support/windowed-count-job.js';
import type { WindowedCountKind } from './support/windowed-count-job.js';

const JOB = { seed: 9, count: 30_000, keys: 40, sizeMs: 500 };
type Kind = WindowedCountKind;

function buildJob(kind: Kind, output: string, parallelism: number) {
  return windowedCountJob(kind, output, JOB, { name: `eventtime-rescale-${kind}`, parallelism, channelBytes: 8_192, sourceParallelism: 2 });
}

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
const expected = expectedWindowLines(JOB);

beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-eventtime-rescale-');
});
afterAll(() => tmp.remove());

async function rescaleCase(kind: Kind, mode: CheckpointMode, from: number, to: number): Promise<void> {
  const dir = path.join(tmp.path, `${kind}-${mode}-${from}-${to}`);
  const output = path.join(dir, 'out');
  const checkpoints = { mode, intervalMs: 10, dir: path.join(dir, 'checkpoints') };
  const jobCheckpoints = new storage.CheckpointStorage({ checkpointDir: checkpoints.dir, job: `eventtime-rescale-${kind}` });
  const firstId = ((await jobCheckpoints.highestCheckpointId()) ?? 0) + 1;

  const first = new EventLog();
  const failed = buildJob(kind, output, from).execute({
    checkpoints,
    restart: { type: 'none' },
    faults: [{ operator: COUNT, subtask: 0, kind: 'throw', atCheckpoint: { phase: 'after-ack', checkpointId: firstId + 1 } }],
    onEvent: first.onEvent,
  });
  expect((await failureOf(failed)).message).toContain('injected');

  const second = new EventLog();
  await buildJob(kind, output, to).execute({ checkpoints, restore: 'latest', onEvent: second.onEvent });
  const [restored] = second.of('restored');
  expect(restored, 'the second run restored a checkpoint of the first').toBeDefined();
  if (mode === 'unaligned') {
    const stats = first.of('checkpoint').find((event) => event.statistics.id === restored!.checkpointId)!.statistics;
    expect(stats.persistedInFlightBytes, 'the restored checkpoint holds in-flight data').toBeGreaterThan(0);
  }
  expect(multisetDifference(await committedLines(output), expected), `${kind}, ${mode}, parallelism ${from} -> ${to}`).toEqual(NO_DIFFERENCE);
}

describe.each(['window', 'timers'] as const)('%s count restored at another parallelism', (kind) => {
  it.each([
    { mode: 'unaligned' as const, from: 2, to: 3 },
    { mode: 'unaligned' as const, from: 3, to: 1 },
    { mode: 'aligned' as const, from: 1, to: 2 },
  ])('$mode checkpoints, parallelism $from -> $to: exactly the windows of a failure-free run', async ({ mode, from, to }) => {
    await rescaleCase(kind, mode, from, to);
  });
});
