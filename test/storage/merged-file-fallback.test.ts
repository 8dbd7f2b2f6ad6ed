/**
 * A checkpoint whose snapshots share one merged file: findRestorable() checks the file's size and
 * each segment's SHA-256, and falls back past damage anywhere in it — a flipped byte inside a
 * segment in the middle of the file, the file's last byte, a file cut short in its middle or by
 * one byte, a missing file — naming the checkpoint, the file, the damaged segment, its offset and
 * the operator and subtask whose snapshot it is. Reading a damaged segment directly (a restore by
 * path) fails with the same names. A version 1 `_metadata` (one file per snapshot) still restores.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as sources from '../../src/storage/index.js';
import { CheckpointStorage, METADATA_FILE, mergedFileName } from '../../src/storage/index.js';
import type { CheckpointMetadata, CheckpointSegment } from '../../src/storage/index.js';
import { OPERATORS, writeCheckpoint } from './support/checkpoints.js';
import { storage as compiled } from './support/compiled.js';
import { flipByte, temporaryDirectory, truncateBy } from './support/files.js';

const REDUCE = OPERATORS[1];
const MERGED = mergedFileName(0);
let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
let checkpoints: CheckpointStorage;
/** Metadata of checkpoints 1, 2, 3, each in one merged file. */
const written = new Map<number, CheckpointMetadata>();

beforeEach(async () => {
  tmp = await temporaryDirectory();
  checkpoints = new CheckpointStorage({ checkpointDir: tmp.path, job: 'merged job' });
  for (const id of [1, 2, 3]) written.set(id, await writeCheckpoint(sources, checkpoints, id, { layout: 'merged' }));
});
afterEach(() => tmp.remove());

const mergedPath = (checkpointId: number) => path.join(checkpoints.checkpointDir(checkpointId), MERGED);

/** Checkpoint 3's segments in file order. */
function segmentsOf3(): CheckpointSegment[] {
  return [...written.get(3)!.segments].sort((a, b) => a.offset - b.offset);
}

/** The segment of subtask 1 of the reduce operator's state: in the middle of the file. */
function middleSegment(): CheckpointSegment {
  const name = written.get(3)!.subtasks.find((subtask) => subtask.operator === REDUCE.name && subtask.subtaskIndex === 1)!.state!;
  return segmentsOf3().find((segment) => segment.name === name)!;
}

describe('a checkpoint in one merged file', () => {
  it('holds every snapshot of the checkpoint in one file, its segments tiling it', () => {
    const metadata = written.get(3)!;
    expect(metadata.version).toBe(2);
    expect(metadata.files.map((file) => file.name)).toEqual([MERGED]);
    const segments = segmentsOf3();
    expect(segments).toHaveLength(6);
    expect(segments[0]!.offset).toBe(0);
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.offset).toBe(segments[i - 1]!.offset + segments[i - 1]!.bytes);
    expect(metadata.files[0]!.bytes).toBe(segments.at(-1)!.offset + segments.at(-1)!.bytes);
  });

  it('restores the newest checkpoint when every segment is intact, and reads each segment back exactly', async () => {
    const found = await checkpoints.findRestorable({ verify: 'checksum' });
    expect(found.metadata?.checkpointId).toBe(3);
    expect(found.skipped).toEqual([]);
    for (const segment of found.metadata!.segments) {
      const raw = await sources.readSnapshotSegment(path.join(found.dir!, segment.file), segment);
      expect(raw.length).toBe(segment.rawBytes);
    }
  });

  const damages = [
    {
      name: 'a flipped byte inside a segment in the middle of the file',
      apply: async () => {
        const segment = middleSegment();
        await flipByte(mergedPath(3), segment.offset + Math.floor(segment.bytes / 2));
        return { segment, reason: 'corrupt', verify: 'checksum' as const, words: /is corrupt: its SHA-256 is [0-9a-f]{64}, its _metadata records/ };
      },
    },
    {
      name: "a flipped last byte (the last segment's)",
      apply: async () => {
        const segment = segmentsOf3().at(-1)!;
        await flipByte(mergedPath(3), segment.offset + segment.bytes - 1);
        return { segment, reason: 'corrupt', verify: 'checksum' as const, words: /is corrupt: its SHA-256 is/ };
      },
    },
    {
      name: 'a file cut off in the middle of a segment',
      apply: async () => {
        const segment = middleSegment();
        const size = written.get(3)!.files[0]!.bytes;
        await truncateBy(mergedPath(3), size - (segment.offset + 10));
        return { segment, reason: 'truncated', verify: 'size' as const, words: /is truncated: it has \d+ bytes, its _metadata records \d+: it is cut off from segment/ };
      },
    },
    {
      name: 'a file one byte short',
      apply: async () => {
        await truncateBy(mergedPath(3), 1);
        return { segment: segmentsOf3().at(-1)!, reason: 'truncated', verify: 'size' as const, words: /is truncated/ };
      },
    },
  ];

  for (const damage of damages) {
    it(`falls back to the previous checkpoint past ${damage.name}, naming checkpoint, file, segment, offset and subtask`, async () => {
      const { segment, reason, verify, words } = await damage.apply();
      const found = await checkpoints.findRestorable({ verify });
      expect(found.metadata?.checkpointId).toBe(2);
      expect(found.skipped).toHaveLength(1);
      const [skipped] = found.skipped;
      expect(skipped).toMatchObject({ checkpointId: 3, file: MERGED, segment: segment.name, offset: segment.offset, reason });
      expect(skipped!.message).toMatch(words);
      expect(skipped!.message).toContain(mergedPath(3));
      expect(skipped!.message).toContain(`${segment.name} (`);
      expect(skipped!.message).toContain(`at offset ${segment.offset}`);
      const subtask = written.get(3)!.subtasks.find((entry) => entry.state === segment.name || entry.channels === segment.name)!;
      expect(skipped!.message).toContain(`'${subtask.operator}' subtask ${subtask.subtaskIndex} of checkpoint 3`);
    });
  }

  it('finds the same on the I/O pool, and a restore by path that reads the damaged segment names it', async () => {
    const segment = middleSegment();
    await flipByte(mergedPath(3), segment.offset + 3);
    const pool = new compiled.IoPool();
    try {
      const onDist = new compiled.CheckpointStorage({ checkpointDir: tmp.path, job: 'merged job' });
      const found = await onDist.findRestorable({ verify: 'checksum', pool });
      expect(found.metadata?.checkpointId).toBe(2);
      expect(found.skipped).toEqual([
        { checkpointId: 3, file: MERGED, segment: segment.name, offset: segment.offset, reason: 'corrupt', message: expect.stringContaining(`at offset ${segment.offset}`) },
      ]);
      const about = `state of '${REDUCE.name}' subtask 1 of checkpoint 3`;
      const read = pool.readSnapshotSegment({ path: mergedPath(3), segment: { ...segment, about } });
      await expect(read).rejects.toMatchObject({ code: 'SLUICE_CHECKPOINT_CORRUPT', reason: 'corrupt', file: mergedPath(3), segment: segment.name, offset: segment.offset });
      await expect(read).rejects.toThrow(about);
      // The segments before and after the damaged one are intact and still read.
      for (const other of segmentsOf3().filter((entry) => entry.name !== segment.name)) {
        expect((await pool.readSnapshotSegment({ path: mergedPath(3), segment: other })).byteLength).toBe(other.rawBytes);
      }
    } finally {
      await pool.close();
    }
  });

  it('falls back past a missing merged file, naming the segments it held', async () => {
    await rm(mergedPath(3));
    const found = await checkpoints.findRestorable();
    expect(found.metadata?.checkpointId).toBe(2);
    expect(found.skipped).toEqual([{ checkpointId: 3, file: MERGED, reason: 'missing', message: expect.stringMatching(/is missing \(it holds 6 segments: /) }]);
  });

  it('retention removes merged files with their checkpoint', async () => {
    await checkpoints.retain(1);
    expect((await checkpoints.list()).map((entry) => entry.checkpointId)).toEqual([3]);
    await expect(readFile(mergedPath(1))).rejects.toThrow(/ENOENT/);
    await expect(readFile(mergedPath(2))).rejects.toThrow(/ENOENT/);
  });
});

describe('a version 1 _metadata (one file per snapshot)', () => {
  it('is read with one segment per file, and restores', async () => {
    const own = await writeCheckpoint(sources, checkpoints, 4, { layout: 'own-files' });
    const segmentOf = new Map(own.segments.map((segment) => [segment.name, segment]));
    // What an older sluice wrote: files with their raw size and checksum, no segments.
    const { segments: _segments, ...rest } = own;
    const version1 = {
      ...rest,
      version: 1,
      files: own.files.map((file) => ({ name: file.name, bytes: file.bytes, rawBytes: segmentOf.get(file.name)!.rawBytes, sha256: segmentOf.get(file.name)!.sha256 })),
    };
    await writeFile(path.join(checkpoints.checkpointDir(4), METADATA_FILE), JSON.stringify(version1));
    const found = await checkpoints.findRestorable({ verify: 'checksum' });
    expect(found.metadata?.checkpointId).toBe(4);
    expect(found.metadata!.version).toBe(1);
    expect(found.metadata!.segments).toEqual(own.segments);
    for (const segment of found.metadata!.segments) {
      expect((await sources.readSnapshotSegment(path.join(found.dir!, segment.file), segment)).length).toBe(segment.rawBytes);
    }
    // A damaged file of it is still named, as a segment at offset 0 of itself.
    const first = own.segments[0]!;
    await flipByte(path.join(checkpoints.checkpointDir(4), first.file), 20);
    const fallback = await checkpoints.findRestorable({ verify: 'checksum' });
    expect(fallback.metadata?.checkpointId).toBe(3);
    expect(fallback.skipped).toMatchObject([{ checkpointId: 4, file: first.file, segment: first.name, offset: 0, reason: 'corrupt' }]);
  });
});
