/**
 * A savepoint is written into a directory the user names, in the checkpoint format with kind
 * 'savepoint'; it reads back by directory or `_metadata` path; a non-empty directory is refused;
 * and a failed write leaves the directory as it was.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as storage from '../../src/storage/index.js';
import { CheckpointStorage, METADATA_FILE } from '../../src/storage/index.js';
import type { SavepointMetadataFields } from '../../src/storage/index.js';
import { temporaryDirectory } from './support/files.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeEach(async () => {
  tmp = await temporaryDirectory();
});
afterEach(() => tmp.remove());

async function writeFiles(dir: string): Promise<SavepointMetadataFields> {
  const files = [];
  const segments = [];
  for (const subtaskIndex of [0, 1]) {
    const name = storage.snapshotFileName('Keyed Reduce', subtaskIndex, 'state');
    const entries = storage.ownFileEntries(name, await storage.writeSnapshotFile(path.join(dir, name), new Uint8Array(10_000).fill(subtaskIndex + 1)));
    files.push(entries.file);
    segments.push(entries.segment);
  }
  return {
    job: 'wc',
    checkpointId: 12,
    mode: 'aligned',
    triggerTimestamp: 1_700_000_000_000,
    completedTimestamp: 1_700_000_000_100,
    files,
    segments,
    subtasks: files.map((file, subtaskIndex) => ({ operator: 'Keyed Reduce', subtaskIndex, parallelism: 2, state: file.name, stats: { asyncDurationMs: 3 } })),
    stats: { trigger: 'cli' },
  };
}

describe('writeSavepoint', () => {
  it('commits the savepoint format into the named directory', async () => {
    const dir = path.join(tmp.path, 'savepoints', 'sp-1');
    const written = await CheckpointStorage.writeSavepoint(dir, writeFiles);
    expect(written.dir).toBe(dir);
    expect(written.metadata).toMatchObject({ format: 'sluice-checkpoint', version: 2, kind: 'savepoint', checkpointId: 12, job: 'wc' });
    expect((await readdir(dir)).sort()).toEqual(['Keyed%20Reduce-0.state.zst', 'Keyed%20Reduce-1.state.zst', METADATA_FILE]);
    expect(await CheckpointStorage.readMetadata(dir)).toEqual(written);
    expect(await CheckpointStorage.readMetadata(path.join(dir, METADATA_FILE))).toEqual(written);
  });

  it('accepts an existing empty directory and refuses a non-empty one', async () => {
    const empty = path.join(tmp.path, 'empty');
    await mkdir(empty);
    await CheckpointStorage.writeSavepoint(empty, writeFiles);
    await expect(CheckpointStorage.writeSavepoint(empty, writeFiles)).rejects.toMatchObject({ code: 'SLUICE_CHECKPOINT_WRITE', message: expect.stringMatching(/not empty/) });
    const file = path.join(tmp.path, 'a-file');
    await writeFile(file, 'x');
    await expect(CheckpointStorage.writeSavepoint(file, writeFiles)).rejects.toThrow(/not a directory/);
  });

  it('removes what a failed write left behind', async () => {
    const created = path.join(tmp.path, 'created');
    await expect(
      CheckpointStorage.writeSavepoint(created, async (dir) => {
        await writeFiles(dir);
        throw new Error('the job failed during the savepoint');
      }),
    ).rejects.toThrow(/the job failed/);
    await expect(stat(created)).rejects.toThrow(/ENOENT/);

    const existing = path.join(tmp.path, 'existing');
    await mkdir(existing);
    // Metadata that lists a file that was never written fails at commit, before _metadata exists.
    await expect(
      CheckpointStorage.writeSavepoint(existing, async (dir) => {
        const fields = await writeFiles(dir);
        return { ...fields, files: [...fields.files, { name: 'ghost.state.zst', bytes: 1, rawBytes: 1, sha256: 'a'.repeat(64) }] };
      }),
    ).rejects.toThrow(/ghost\.state\.zst/);
    expect(await readdir(existing)).toEqual([]);
  });
});
