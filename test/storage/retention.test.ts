/**
 * retain(n) keeps exactly the n newest completed checkpoints, deletes incomplete checkpoint
 * directories older than the newest completed one, keeps newer incomplete ones (they may be in
 * progress), and never deletes a savepoint, nor the newest completed checkpoint.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as storage from '../../src/storage/index.js';
import { CheckpointStorage } from '../../src/storage/index.js';
import { writeCheckpoint } from './support/checkpoints.js';
import { temporaryDirectory } from './support/files.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
let checkpoints: CheckpointStorage;

beforeEach(async () => {
  tmp = await temporaryDirectory();
  checkpoints = new CheckpointStorage({ checkpointDir: path.join(tmp.path, 'checkpoints'), job: 'retained' });
});
afterEach(() => tmp.remove());

async function ids(): Promise<number[]> {
  return (await checkpoints.list()).map((entry) => entry.checkpointId);
}

/** `from`, `from + 1`, ..., `to`. */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function directories(): Promise<string[]> {
  return (await readdir(checkpoints.jobDir)).sort();
}

/** A savepoint from checkpoint `checkpointId`'s files, written into `dir`. */
async function savepoint(dir: string, checkpointId: number): Promise<void> {
  await CheckpointStorage.writeSavepoint(dir, async (target) => {
    const raw = new Uint8Array(5000).fill(checkpointId);
    const { file, segment } = storage.ownFileEntries('op-0.state.zst', await storage.writeSnapshotFile(path.join(target, 'op-0.state.zst'), raw));
    return {
      job: 'retained',
      checkpointId,
      mode: 'aligned',
      triggerTimestamp: 1,
      completedTimestamp: 2,
      files: [file],
      segments: [segment],
      subtasks: [{ operator: 'op', subtaskIndex: 0, parallelism: 1, state: 'op-0.state.zst', stats: {} }],
      stats: {},
    };
  });
}

describe('retain', () => {
  it('keeps exactly the newest n completed checkpoints', async () => {
    for (let id = 1; id <= 6; id++) {
      await writeCheckpoint(storage, checkpoints, id, { rawBytes: 2000 });
      await checkpoints.retain(3);
      expect(await ids()).toEqual(range(Math.max(1, id - 2), id));
    }
    expect(await directories()).toEqual(['chk-4', 'chk-5', 'chk-6']);
    const result = await checkpoints.retain(1);
    expect(result).toEqual({ deletedCheckpoints: [4, 5], deletedIncomplete: [] });
    expect(await directories()).toEqual(['chk-6']);
  });

  it('never deletes the newest completed checkpoint', async () => {
    await writeCheckpoint(storage, checkpoints, 7, { rawBytes: 2000 });
    await expect(checkpoints.retain(0)).rejects.toThrow(RangeError);
    expect(await checkpoints.retain(1)).toEqual({ deletedCheckpoints: [], deletedIncomplete: [] });
    expect(await ids()).toEqual([7]);
  });

  it('deletes incomplete directories older than the newest completed one, and keeps newer ones', async () => {
    await writeCheckpoint(storage, checkpoints, 1, { rawBytes: 2000 });
    await checkpoints.prepare(2); // aborted
    await writeFile(path.join(checkpoints.checkpointDir(2), 'a-0.state.zst'), 'partial');
    await writeCheckpoint(storage, checkpoints, 3, { rawBytes: 2000 });
    await checkpoints.prepare(4); // in progress
    const result = await checkpoints.retain(2);
    expect(result).toEqual({ deletedCheckpoints: [], deletedIncomplete: [2] });
    expect(await directories()).toEqual(['chk-1', 'chk-3', 'chk-4']);
  });

  it('deletes nothing while no checkpoint has completed', async () => {
    await checkpoints.prepare(1);
    await checkpoints.prepare(2);
    expect(await checkpoints.retain(1)).toEqual({ deletedCheckpoints: [], deletedIncomplete: [] });
    expect(await directories()).toEqual(['chk-1', 'chk-2']);
  });

  it('never deletes a savepoint, outside or inside the job directory', async () => {
    const outside = path.join(tmp.path, 'savepoints', 'before-upgrade');
    await writeCheckpoint(storage, checkpoints, 1, { rawBytes: 2000 });
    await savepoint(outside, 1);
    // A user may also name a directory in the job directory, even one that looks like a checkpoint's.
    await savepoint(path.join(checkpoints.jobDir, 'my-savepoint'), 1);
    await savepoint(path.join(checkpoints.jobDir, 'chk-0'), 0);
    await mkdir(path.join(checkpoints.jobDir, 'notes'));
    for (let id = 2; id <= 4; id++) {
      await writeCheckpoint(storage, checkpoints, id, { rawBytes: 2000 });
      await checkpoints.retain(1);
    }
    expect(await ids()).toEqual([4]);
    expect(await directories()).toEqual(['chk-0', 'chk-4', 'my-savepoint', 'notes']);
    expect((await CheckpointStorage.readMetadata(outside)).metadata.kind).toBe('savepoint');
    expect((await CheckpointStorage.readMetadata(path.join(checkpoints.jobDir, 'chk-0'))).metadata.kind).toBe('savepoint');
    expect(await readdir(outside)).toEqual(['_metadata', 'op-0.state.zst']);
  });
});
