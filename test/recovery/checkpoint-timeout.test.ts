/**
 * Aligned checkpoints that cannot complete in time. Under heavy backpressure an aligned barrier
 * waits behind every queued byte, far longer than a 3 ms `timeoutMs`: the checkpoints time out
 * (status 'failed', a reason that says so), their directories are removed, and the job goes on
 * to its end with exact output when failures are tolerated (`tolerableFailures: Infinity`). With
 * `tolerableFailures: 0` the first timeout fails the attempt, the restart strategy restarts it, and
 * once the restarts are used up the job fails with code SLUICE_CHECKPOINT_FAILURES.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, storage } from './support/compiled.js';
import {
  BACKPRESSURED,
  NO_DIFFERENCE,
  buildPipeline,
  checkpointDirectories,
  committedLines,
  expectedLines,
  failureOf,
  multisetDifference,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

/** A slow keyed operator behind 16 KiB channels: a barrier queued behind them waits tens of ms. */
const JOB = { ...BACKPRESSURED, name: 'timeouts', count: 40_000, costMicros: 30 };
const TIMEOUT_MS = 3;
/**
 * Not shorter: every checkpoint that times out leaves a trigger and an abort message in each
 * subtask's 4 KiB control ring, and a subtask whose worker is still starting does not read its
 * ring yet: the ring must not fill up before it does.
 */
const INTERVAL_MS = 50;

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('timed-out aligned checkpoints', () => {
  it('fail, leave no directory behind, and the job ends with exact output', async () => {
    const output = path.join(tmp.path, 'tolerated-out');
    const checkpointRoot = path.join(tmp.path, 'tolerated-checkpoints');
    const result = await buildPipeline(JOB, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS, tolerableFailures: Infinity, dir: checkpointRoot },
    });

    const timedOut = result.checkpoints.filter((stats) => stats.status === 'failed' && /timed out/.test(stats.failureReason ?? ''));
    expect(timedOut.length).toBeGreaterThan(0);
    for (const stats of timedOut) {
      expect(stats.failureReason).toBe(`timed out after ${TIMEOUT_MS} ms (checkpoints.timeoutMs)`);
      expect(stats.acknowledgedSubtasks).toBeLessThan(stats.totalSubtasks);
    }
    // Only completed checkpoints have directories; a timed-out one's was removed.
    const jobDir = new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name }).jobDir;
    const directories = await checkpointDirectories(jobDir);
    expect(directories.filter((dir) => !dir.complete)).toEqual([]);
    const failedIds = new Set(result.checkpoints.filter((stats) => stats.status === 'failed').map((stats) => stats.id));
    expect(directories.filter((dir) => failedIds.has(dir.id))).toEqual([]);

    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });

  it('fail the attempt when no failure is tolerated, restart, and fail the job once the restarts are used up', async () => {
    const output = path.join(tmp.path, 'intolerant-out');
    const failures: string[] = [];
    const error = await failureOf(
      buildPipeline(JOB, transactionalLines(output)).execute({
        checkpoints: { mode: 'aligned', intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS, tolerableFailures: 0, dir: path.join(tmp.path, 'intolerant-checkpoints') },
        // Too many failed checkpoints fail the attempt: the restart strategy applies, as in Flink.
        restart: { type: 'fixed-delay', attempts: 2, delayMs: 10 },
        onEvent: (event) => {
          if (event.type === 'failed') failures.push((event.error as { code?: string }).code ?? '');
        },
      }),
    );
    expect(failures).toEqual(['SLUICE_CHECKPOINT_FAILURES', 'SLUICE_CHECKPOINT_FAILURES', 'SLUICE_CHECKPOINT_FAILURES']);
    expect(error).toBeInstanceOf(sluice.SluiceError);
    expect(error.code).toBe('SLUICE_CHECKPOINT_FAILURES');
    expect(error.message).toMatch(/^1 checkpoints failed in a row, more than the 0 tolerated \(checkpoints\.tolerableFailures\); the last: checkpoint \d+ was aborted: timed out after 3 ms/);
  });
});
