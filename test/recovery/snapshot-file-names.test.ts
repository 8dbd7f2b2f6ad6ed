/**
 * Snapshots (segments of a checkpoint's merged file) are named by the uid of their chain's head
 * operator, not by the URL-encoded chain name: the chain `tally -> out` writes
 * `tally-<subtask>.state.zst`, and an operator given `{ uid }` names its snapshots with it.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, sluice, storage } from './support/compiled.js';
import { BACKPRESSURED, temporaryDirectory, transactionalLines } from './support/jobs.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('snapshot file names', () => {
  it('use the chain head uid', async () => {
    const dir = path.join(tmp.path, 'checkpoints');
    const pipeline = new sluice.Pipeline({ name: 'file-names', parallelism: 2, channelBytes: BACKPRESSURED.channelBytes });
    pipeline
      .source(sluice.generatorSource({ seed: 1, count: 40_000, keys: 8 }), { name: 'numbers in' })
      .keyBy(1)
      .process<string>(ops.tally, { name: 'count per key', uid: 'counts-v1', options: { costMicros: 10, perRecord: true } })
      .sink(transactionalLines(path.join(tmp.path, 'out')), { name: 'write out' });
    await pipeline.execute({ checkpoints: { mode: 'aligned', intervalMs: 20, retain: 1000, dir } });
    // The first checkpoint: every subtask still ran (later ones may record a finished source without files).
    const [latest] = await new storage.CheckpointStorage({ checkpointDir: dir, job: 'file-names' }).list();
    expect(latest).toBeDefined();
    expect((await readdir(latest!.dir)).sort()).toEqual(['_metadata', 'merged-0.seg', 'merged-1.seg']);
    const names = latest!.metadata.segments.map((segment) => segment.name).sort();
    expect(names).toEqual(['counts-v1-0.state.zst', 'counts-v1-1.state.zst', 'numbers-in-0.state.zst', 'numbers-in-1.state.zst']);
    expect(latest!.metadata.subtasks.find((subtask) => subtask.operator === 'count per key -> write out')!.uids).toEqual(['counts-v1', 'write-out']);
  });
});
