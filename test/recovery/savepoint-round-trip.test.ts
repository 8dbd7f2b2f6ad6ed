/**
 * A savepoint round trip. `stopWithSavepoint(dir)` in the middle of a run stops the job, and
 * `execute()` resolves with `savepoint: dir`; a second pipeline restores the savepoint, resumes
 * from the middle of the source, and the two runs together commit exactly the output of one
 * failure-free run. The savepoint (taken unaligned, with in-flight data) lives in a directory
 * the user named, next to the job's checkpoint directory: the second run's checkpoints, retained
 * one at a time, never touch it. It is self-contained: moved elsewhere first, it restores from there.
 */
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storage } from './support/compiled.js';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  SOURCE,
  buildPipeline,
  checkpointDirectories,
  committedLines,
  completed,
  expectedLines,
  multisetDifference,
  stopWithSavepointOnceCheckpointed,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'savepoints', count: 100_000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('stopWithSavepoint and restore', () => {
  it('stops mid-run, resumes in a new pipeline with exact combined output, and the savepoint outlives retention', async () => {
    const checkpointRoot = path.join(tmp.path, 'checkpoints');
    const savepointDir = path.join(checkpointRoot, 'savepoint-1');
    const output = path.join(tmp.path, 'out');
    const checkpoints = { mode: 'unaligned' as const, intervalMs: 20, retain: 1, dir: checkpointRoot };
    const jobCheckpoints = new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name });

    const first = buildPipeline(JOB, transactionalLines(output));
    const savepoint = await stopWithSavepointOnceCheckpointed(first, JOB.name, checkpoints, savepointDir);
    expect(savepoint.status).toBe('completed');
    expect(savepoint.acknowledgedSubtasks).toBe(savepoint.totalSubtasks);
    const written = await storage.readCheckpointMetadata(savepointDir);
    expect(written.metadata.kind).toBe('savepoint');
    expect(written.metadata.checkpointId).toBe(savepoint.id);

    // Its files (the merged one and any of their own) move with it: nothing in it names its old place.
    const moved = path.join(tmp.path, 'moved', 'savepoint-1');
    await storage.makeDirectoryDurably(path.dirname(moved));
    await rename(savepointDir, moved);

    const log = new EventLog();
    const second = await buildPipeline(JOB, transactionalLines(output)).execute({ checkpoints, restore: moved, onEvent: log.onEvent });
    expect(log.of('restored')).toEqual([{ type: 'restored', checkpointId: savepoint.id, path: moved }]);
    // It resumed from the middle of the source, not from its start.
    const resumedRecords = second.operators[SOURCE]!.recordsOut;
    expect(resumedRecords).toBeGreaterThan(0);
    expect(resumedRecords).toBeLessThan(JOB.count);

    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);

    // Retention ran in the second run and kept one checkpoint; the savepoint is intact.
    const ids = completed(second).map((stats) => stats.id);
    expect(ids.length).toBeGreaterThan(1);
    expect(Math.min(...ids)).toBeGreaterThan(savepoint.id);
    expect(await checkpointDirectories(jobCheckpoints.jobDir)).toEqual([{ id: ids[ids.length - 1], complete: true }]);
    const kept = await storage.readCheckpointMetadata(moved);
    expect(kept.metadata).toEqual(written.metadata);
    for (const file of kept.metadata.files) expect((await stat(path.join(moved, file.name))).size).toBe(file.bytes);
  });
});
