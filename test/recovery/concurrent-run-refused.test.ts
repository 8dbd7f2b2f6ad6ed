/**
 * One run at a time per job checkpoint directory. While a job runs, a second run of the same job
 * name into the same checkpoint directory is refused before it starts, with a message naming the
 * holder (pid, host, start time); after the first ends the directory is free again. A lock left by
 * a process that no longer exists (killed with SIGKILL) is stale and taken over.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storage } from './support/compiled.js';
import { BACKPRESSURED, buildPipeline, failureOf, temporaryDirectory, transactionalLines } from './support/jobs.js';

/** Long enough to be still running when the second run starts: it is cancelled once that was refused. */
const JOB = { ...BACKPRESSURED, name: 'locked', count: 2_000_000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('the checkpoint directory lock', () => {
  it('refuses a second run while the first runs, naming the holder, and frees the directory after', async () => {
    const checkpoints = { mode: 'aligned' as const, intervalMs: 20, dir: path.join(tmp.path, 'checkpoints') };
    const jobDir = new storage.CheckpointStorage({ checkpointDir: checkpoints.dir, job: JOB.name }).jobDir;
    const first = buildPipeline(JOB, transactionalLines(path.join(tmp.path, 'out-1')));
    const running = first.execute({ checkpoints });
    let ended = false;
    void running.then(
      () => (ended = true),
      () => (ended = true),
    );
    const jobCheckpoints = new storage.CheckpointStorage({ checkpointDir: checkpoints.dir, job: JOB.name });
    while (!ended && (await jobCheckpoints.list()).length === 0) await sleep(5);
    expect(ended).toBe(false);

    const error = await failureOf(buildPipeline(JOB, transactionalLines(path.join(tmp.path, 'out-2'))).execute({ checkpoints }));
    expect(error.code).toBe('SLUICE_CHECKPOINT_DIR_LOCKED');
    expect(error.message).toContain(jobDir);
    expect(error.message).toContain(`process ${process.pid} on ${os.hostname()}`);

    first.cancel();
    expect((await failureOf(running)).code).toBe('SLUICE_JOB_CANCELLED');
    const again = await buildPipeline({ ...JOB, count: 1000 }, transactionalLines(path.join(tmp.path, 'out-3'))).execute({ checkpoints });
    expect(again.operators['gen']!.recordsOut).toBe(1000);
  });

  it('takes over a stale lock whose process is gone', async () => {
    const checkpoints = { mode: 'aligned' as const, intervalMs: 20, dir: path.join(tmp.path, 'stale-checkpoints') };
    const jobDir = new storage.CheckpointStorage({ checkpointDir: checkpoints.dir, job: JOB.name }).jobDir;
    await import('node:fs/promises').then((fs) => fs.mkdir(jobDir, { recursive: true }));
    // A pid far above any pid_max in use: no such process.
    const stale = { pid: 2 ** 30, host: os.hostname(), startedAt: new Date(0).toISOString(), job: JOB.name };
    await writeFile(path.join(jobDir, storage.LOCK_FILE), JSON.stringify(stale));
    const result = await buildPipeline({ ...JOB, count: 1000 }, transactionalLines(path.join(tmp.path, 'stale-out'))).execute({ checkpoints });
    expect(result.operators['gen']!.recordsOut).toBe(1000);
  });
});
