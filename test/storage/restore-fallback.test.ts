/**
 * findRestorable() picks the newest completed checkpoint whose files are all intact, and falls
 * back past one with a missing, truncated or corrupt file (or a bad `_metadata`), saying in
 * `skipped` which checkpoint, which file and why. A flipped byte keeps the size: only
 * `verify: 'checksum'` finds it, on this thread or on the I/O pool.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as sources from '../../src/storage/index.js';
import { CheckpointStorage, METADATA_FILE } from '../../src/storage/index.js';
import { OPERATORS, fileOf, writeCheckpoint } from './support/checkpoints.js';
import { storage as compiled } from './support/compiled.js';
import { flipByte, temporaryDirectory, truncateBy } from './support/files.js';

const [SOURCE, REDUCE] = OPERATORS;
let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
let checkpoints: CheckpointStorage;

beforeEach(async () => {
  tmp = await temporaryDirectory();
  checkpoints = new CheckpointStorage({ checkpointDir: tmp.path, job: 'fallback job' });
  for (const id of [1, 2, 3]) await writeCheckpoint(sources, checkpoints, id);
});
afterEach(() => tmp.remove());

describe('findRestorable', () => {
  it('returns the newest checkpoint when every file is intact', async () => {
    const found = await checkpoints.findRestorable({ verify: 'checksum' });
    expect(found.metadata?.checkpointId).toBe(3);
    expect(found.dir).toBe(checkpoints.checkpointDir(3));
    expect(found.skipped).toEqual([]);
  });

  it('falls back past a missing file', async () => {
    const missing = fileOf(checkpoints, 3, REDUCE, 1, 'channels');
    await rm(missing);
    const found = await checkpoints.findRestorable();
    expect(found.metadata?.checkpointId).toBe(2);
    expect(found.skipped).toEqual([{ checkpointId: 3, file: path.basename(missing), reason: 'missing', message: expect.stringContaining(missing) }]);
  });

  it('falls back past a truncated file', async () => {
    const truncated = fileOf(checkpoints, 3, SOURCE, 0, 'state');
    await truncateBy(truncated, 1);
    const found = await checkpoints.findRestorable();
    expect(found.metadata?.checkpointId).toBe(2);
    expect(found.skipped).toEqual([
      { checkpointId: 3, file: path.basename(truncated), segment: path.basename(truncated), offset: 0, reason: 'truncated', message: expect.stringContaining('truncated') },
    ]);
  });

  it('falls back past a corrupt file only when verifying checksums', async () => {
    const corrupt = fileOf(checkpoints, 3, REDUCE, 0, 'state');
    await flipByte(corrupt, 40);
    expect((await checkpoints.findRestorable({ verify: 'size' })).metadata?.checkpointId).toBe(3);
    const found = await checkpoints.findRestorable({ verify: 'checksum' });
    expect(found.metadata?.checkpointId).toBe(2);
    expect(found.skipped).toEqual([
      { checkpointId: 3, file: path.basename(corrupt), segment: path.basename(corrupt), offset: 0, reason: 'corrupt', message: expect.stringContaining('SHA-256') },
    ]);
  });

  it('falls back past several bad checkpoints, listing every bad file newest first', async () => {
    const missing = fileOf(checkpoints, 3, SOURCE, 1, 'state');
    const truncated = fileOf(checkpoints, 3, REDUCE, 0, 'channels');
    const corrupt = fileOf(checkpoints, 2, SOURCE, 0, 'state');
    await rm(missing);
    await truncateBy(truncated, 5);
    await flipByte(corrupt, 0);
    const found = await checkpoints.findRestorable({ verify: 'checksum' });
    expect(found.metadata?.checkpointId).toBe(1);
    expect(found.skipped.map(({ checkpointId, file, reason }) => ({ checkpointId, file, reason }))).toEqual([
      { checkpointId: 3, file: path.basename(missing), reason: 'missing' },
      { checkpointId: 3, file: path.basename(truncated), reason: 'truncated' },
      { checkpointId: 2, file: path.basename(corrupt), reason: 'corrupt' },
    ]);
  });

  it('falls back past a checkpoint whose _metadata is bad', async () => {
    await writeFile(path.join(checkpoints.checkpointDir(3), METADATA_FILE), '{"format": "sluice-checkpoint", "version": 1}');
    const found = await checkpoints.findRestorable();
    expect(found.metadata?.checkpointId).toBe(2);
    expect(found.skipped).toEqual([{ checkpointId: 3, file: METADATA_FILE, reason: 'corrupt', message: expect.stringContaining("'job'") }]);
  });

  it('finds nothing when no checkpoint is intact, and says why for each', async () => {
    for (const id of [1, 2, 3]) await rm(fileOf(checkpoints, id, SOURCE, 0, 'state'));
    const found = await checkpoints.findRestorable();
    expect(found.metadata).toBeUndefined();
    expect(found.dir).toBeUndefined();
    expect(found.skipped.map((entry) => [entry.checkpointId, entry.reason])).toEqual([
      [3, 'missing'],
      [2, 'missing'],
      [1, 'missing'],
    ]);
  });

  it('finds nothing in a job directory that does not exist', async () => {
    const none = new CheckpointStorage({ checkpointDir: path.join(tmp.path, 'elsewhere'), job: 'fallback job' });
    expect(await none.findRestorable()).toEqual({ metadata: undefined, dir: undefined, skipped: [] });
  });

  it('verifies checksums on the I/O pool, then the pool restores the chosen checkpoint', async () => {
    const pool = new compiled.IoPool({ threads: 2 });
    try {
      const onDist = new compiled.CheckpointStorage({ checkpointDir: tmp.path, job: 'fallback job' });
      const corrupt = fileOf(checkpoints, 3, SOURCE, 1, 'state');
      await flipByte(corrupt, 17);
      const found = await onDist.findRestorable({ verify: 'checksum', pool });
      expect(found.metadata?.checkpointId).toBe(2);
      expect(found.skipped).toEqual([
        { checkpointId: 3, file: path.basename(corrupt), segment: path.basename(corrupt), offset: 0, reason: 'corrupt', message: expect.stringContaining(corrupt) },
      ]);

      const restored = await Promise.all(
        found.metadata!.segments.map((segment) => pool.readSnapshotSegment({ path: path.join(found.dir!, segment.file), segment })),
      );
      restored.forEach((bytes, i) => expect(bytes.byteLength).toBe(found.metadata!.segments[i]!.rawBytes));
    } finally {
      await pool.close();
    }
  });
});
