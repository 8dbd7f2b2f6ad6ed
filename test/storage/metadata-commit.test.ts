/**
 * A checkpoint exists only once its `_metadata` has been committed: commit writes the temporary
 * file, renames it into place and leaves nothing else; a crash before the rename (only
 * `_metadata.tmp` on disk) leaves a directory that list() ignores; commit refuses metadata whose
 * files are not on disk; and the parser names the file and the bad field.
 */
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as storage from '../../src/storage/index.js';
import { CheckpointMetadataError, CheckpointStorage, CheckpointWriteError, METADATA_FILE, METADATA_TEMP_FILE } from '../../src/storage/index.js';
import { writeCheckpoint } from './support/checkpoints.js';
import { temporaryDirectory } from './support/files.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
let checkpoints: CheckpointStorage;

beforeEach(async () => {
  tmp = await temporaryDirectory();
  checkpoints = new CheckpointStorage({ checkpointDir: tmp.path, job: 'word count' });
});
afterEach(() => tmp.remove());

function metadataError(text: string): CheckpointMetadataError {
  try {
    storage.parseCheckpointMetadata(text, '/x/chk-1/_metadata');
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointMetadataError);
    return error as CheckpointMetadataError;
  }
  throw new Error('expected the metadata to be rejected');
}

describe('metadata commit', () => {
  it('renames the temporary file into place and leaves no temporary file', async () => {
    const metadata = await writeCheckpoint(storage, checkpoints, 1);
    const dir = checkpoints.checkpointDir(1);
    const entries = await readdir(dir);
    expect(entries).toContain(METADATA_FILE);
    expect(entries).not.toContain(METADATA_TEMP_FILE);
    expect(JSON.parse(await readFile(path.join(dir, METADATA_FILE), 'utf8'))).toEqual(metadata);
    expect((await checkpoints.list()).map((entry) => entry.checkpointId)).toEqual([1]);
  });

  it('a crash before the rename leaves only _metadata.tmp, and the checkpoint does not exist', async () => {
    await writeCheckpoint(storage, checkpoints, 1);
    await writeCheckpoint(storage, checkpoints, 2);
    // The state of checkpoint 2 had the process died after fsyncing the temporary file, before the rename.
    const dir = checkpoints.checkpointDir(2);
    await rename(path.join(dir, METADATA_FILE), path.join(dir, METADATA_TEMP_FILE));

    expect((await checkpoints.list()).map((entry) => entry.checkpointId)).toEqual([1]);
    const restorable = await checkpoints.findRestorable();
    expect(restorable.metadata?.checkpointId).toBe(1);
    expect(restorable.skipped).toEqual([]); // an incomplete checkpoint is not a failed one
  });

  it('refuses to commit metadata that lists a file that is not there, or not of its size', async () => {
    const dir = await checkpoints.prepare(3);
    const info = await storage.writeSnapshotFile(path.join(dir, 'a-0.state.zst'), new Uint8Array(1000));
    const base = {
      job: 'word count',
      checkpointId: 3,
      kind: 'checkpoint' as const,
      mode: 'aligned' as const,
      triggerTimestamp: 1,
      completedTimestamp: 2,
      subtasks: [{ operator: 'a', subtaskIndex: 0, parallelism: 1, state: 'a-0.state.zst', stats: {} }],
      stats: {},
    };
    const wrongSize = storage.ownFileEntries('a-0.state.zst', { ...info, bytes: info.bytes + 1 });
    await expect(checkpoints.commit(storage.checkpointMetadata({ ...base, files: [wrongSize.file], segments: [wrongSize.segment] }))).rejects.toThrow(CheckpointWriteError);
    const notThere = storage.ownFileEntries('b-0.state.zst', info);
    const missing = storage.checkpointMetadata({
      ...base,
      files: [notThere.file],
      segments: [notThere.segment],
      subtasks: [{ ...base.subtasks[0]!, state: 'b-0.state.zst' }],
    });
    await expect(checkpoints.commit(missing)).rejects.toThrow(/b-0\.state\.zst/);
    expect(await readdir(dir)).toEqual(['a-0.state.zst']);
    expect(await checkpoints.list()).toEqual([]);
  });

  it('prepare() refuses to reuse the id of a completed checkpoint and clears leftovers of an incomplete one', async () => {
    await writeCheckpoint(storage, checkpoints, 1);
    await expect(checkpoints.prepare(1)).rejects.toThrow(/already exists/);
    const dir = await checkpoints.prepare(2);
    await writeFile(path.join(dir, 'leftover.state.zst'), 'x');
    await checkpoints.prepare(2);
    expect(await readdir(dir)).toEqual([]);
    // New checkpoints after a restore are numbered past every directory, complete or not.
    expect(await checkpoints.highestCheckpointId()).toBe(2);
    expect(await new CheckpointStorage({ checkpointDir: tmp.path, job: 'no checkpoints yet' }).highestCheckpointId()).toBeUndefined();
  });

  it('discard() removes an aborted checkpoint, never a completed one', async () => {
    await writeCheckpoint(storage, checkpoints, 1);
    const dir = await checkpoints.prepare(2);
    await writeFile(path.join(dir, 'x-0.state.zst'), 'x');
    await checkpoints.discard(2);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    await expect(checkpoints.discard(1)).rejects.toThrow(/completed/);
    expect((await checkpoints.list()).map((entry) => entry.checkpointId)).toEqual([1]);
  });

  describe('the parser names the file and the bad field', () => {
    let valid: Record<string, unknown>;
    beforeEach(async () => {
      valid = JSON.parse(storage.serializeCheckpointMetadata(await writeCheckpoint(storage, checkpoints, 1))) as Record<string, unknown>;
    });
    const cases: Array<[string, (metadata: any) => void, string]> = [
      ['not JSON', () => undefined, ''],
      ['a wrong format', (m) => (m.format = 'flink'), 'format'],
      ['a newer version', (m) => (m.version = 3), 'version'],
      ['no job', (m) => delete m.job, 'job'],
      ['a negative checkpoint id', (m) => (m.checkpointId = -1), 'checkpointId'],
      ['an unknown kind', (m) => (m.kind = 'snapshot'), 'kind'],
      ['an unknown mode', (m) => (m.mode = 'exactly-once'), 'mode'],
      ['a bad timestamp', (m) => (m.completedTimestamp = 'yesterday'), 'completedTimestamp'],
      ['a bad checksum', (m) => (m.segments[2].sha256 = 'ABC'), 'segments[2].sha256'],
      ['a file name with a slash', (m) => (m.files[0].name = '../escape'), 'files[0].name'],
      ['a duplicate file', (m) => (m.files[1].name = m.files[0].name), 'files[1].name'],
      ['a fractional size', (m) => (m.files[0].bytes = 1.5), 'files[0].bytes'],
      ['a file size its segments do not fill', (m) => (m.files[0].bytes += 1), 'files[0].bytes'],
      ['a segment in a file not listed', (m) => (m.segments[1].file = 'nope.seg'), 'segments[1].file'],
      ['a duplicate segment', (m) => (m.segments[1].name = m.segments[0].name), 'segments[1].name'],
      ['a state segment not in segments', (m) => (m.subtasks[1].state = 'nope.state.zst'), 'subtasks[1].state'],
      ['a subtask index beyond parallelism', (m) => (m.subtasks[0].subtaskIndex = 2), 'subtasks[0].subtaskIndex'],
      ['a duplicate subtask', (m) => (m.subtasks[1].subtaskIndex = 0), 'subtasks[1]'],
      ['a non-numeric subtask stat', (m) => (m.subtasks[0].stats.syncDurationMs = 'fast'), 'subtasks[0].stats.syncDurationMs'],
      ['stats that are not an object', (m) => (m.stats = [1, 2]), 'stats'],
    ];
    for (const [name, change, field] of cases) {
      it(name, () => {
        const metadata = structuredClone(valid);
        change(metadata);
        const error = metadataError(field === '' ? '{"format": ' : JSON.stringify(metadata));
        expect(error.code).toBe('SLUICE_CHECKPOINT_METADATA');
        expect(error.file).toBe('/x/chk-1/_metadata');
        expect(error.field).toBe(field);
        expect(error.message).toContain('/x/chk-1/_metadata');
        if (field !== '') expect(error.message).toContain(`'${field}'`);
      });
    }

    it('and accepts the valid metadata it was changed from', () => {
      expect(storage.parseCheckpointMetadata(JSON.stringify(valid), '/x/chk-1/_metadata')).toEqual(valid);
    });
  });

  it('readMetadata() takes a checkpoint directory or its _metadata file', async () => {
    const metadata = await writeCheckpoint(storage, checkpoints, 4);
    const dir = checkpoints.checkpointDir(4);
    expect(await CheckpointStorage.readMetadata(dir)).toEqual({ metadata, dir });
    expect(await CheckpointStorage.readMetadata(path.join(dir, METADATA_FILE))).toEqual({ metadata, dir });
    await expect(CheckpointStorage.readMetadata(path.join(tmp.path, 'nowhere'))).rejects.toThrow(/does not exist/);
    await expect(CheckpointStorage.readMetadata(tmp.path)).rejects.toMatchObject({ code: 'SLUICE_CHECKPOINT_METADATA' });
  });
});
