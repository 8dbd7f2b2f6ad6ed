/**
 * `restore: 'latest'` when every retained checkpoint is damaged fails before anything runs,
 * naming each damaged checkpoint and file, instead of silently starting from the beginning into
 * the existing output; `startFresh: true` asks for the fresh start.
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, storage } from './support/compiled.js';
import { BACKPRESSURED, EventLog, TALLY, buildPipeline, failureOf, temporaryDirectory, transactionalLines } from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'all-damaged', count: 60_000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe("restore: 'latest' with every checkpoint damaged", () => {
  it('fails naming each damaged checkpoint; startFresh runs from the beginning', async () => {
    const checkpointRoot = path.join(tmp.path, 'checkpoints');
    const output = path.join(tmp.path, 'out');
    const checkpoints = { mode: 'aligned' as const, intervalMs: 20, retain: 2, dir: checkpointRoot };
    await failureOf(
      buildPipeline(JOB, transactionalLines(output)).execute({
        checkpoints,
        restart: { type: 'none' },
        // At checkpoint 3's snapshot: checkpoints 1 and 2 completed, and are the two retained.
        faults: [{ operator: TALLY, subtask: 0, kind: 'throw', atCheckpoint: { phase: 'after-snapshot', checkpointId: 3 } }],
      }),
    );
    const retained = await new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name }).list();
    expect(retained.length).toBeGreaterThanOrEqual(2);
    for (const checkpoint of retained) {
      const handle = await open(path.join(checkpoint.dir, checkpoint.metadata.files[0]!.name), 'r+');
      await handle.truncate(1);
      await handle.close();
    }
    const partsBefore = (await readdir(output)).sort();

    const log = new EventLog();
    const error = await failureOf(buildPipeline(JOB, transactionalLines(output)).execute({ checkpoints, restore: 'latest', onEvent: log.onEvent }));
    expect(error).toBeInstanceOf(storage.NoRestorableCheckpointError);
    expect(error.code).toBe('SLUICE_NO_RESTORABLE_CHECKPOINT');
    for (const checkpoint of retained) {
      expect(error.message).toContain(`checkpoint ${checkpoint.checkpointId}: `);
      expect(error.message).toContain(path.join(checkpoint.dir, checkpoint.metadata.files[0]!.name));
    }
    expect(error.message).toMatch(/--start-fresh/);
    expect(log.of('restored')).toEqual([]);
    // Nothing ran: the output is as the failed run left it.
    expect((await readdir(output)).sort()).toEqual(partsBefore);

    const fresh = await buildPipeline(JOB, transactionalLines(output)).execute({ checkpoints, restore: 'latest', startFresh: true });
    expect(fresh.operators['gen']!.recordsOut).toBe(JOB.count);
  });
});
