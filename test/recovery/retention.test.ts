/**
 * Retention keeps exactly `retain` completed checkpoints in the job's checkpoint directory: after
 * a job that completed many more, the `chk-<n>` directories left are the newest `retain`
 * completed ones, each with its `_metadata`, and nothing else.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, storage } from './support/compiled.js';
import { BACKPRESSURED, buildPipeline, checkpointDirectories, completed, temporaryDirectory } from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'retention', perRecord: false, costMicros: 15 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe.each([1, 3])('retain: %i', (retain) => {
  it('keeps exactly the newest completed checkpoints', async () => {
    const checkpointRoot = path.join(tmp.path, `retain-${retain}`);
    const result = await buildPipeline(JOB, sluice.discardSink()).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, retain, dir: checkpointRoot },
    });

    const ids = completed(result).map((stats) => stats.id);
    expect(ids.length).toBeGreaterThan(retain + 1); // some were deleted
    const checkpoints = new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name });
    const directories = await checkpointDirectories(checkpoints.jobDir);
    expect(directories).toEqual(ids.slice(-retain).map((id) => ({ id, complete: true })));
    expect((await checkpoints.list()).map((checkpoint) => checkpoint.checkpointId)).toEqual(ids.slice(-retain));
  });
});
