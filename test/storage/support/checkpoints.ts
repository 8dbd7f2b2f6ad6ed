/**
 * Writes real checkpoints: a small job of two operators, each subtask with a state snapshot and
 * the second operator's subtasks with a channel-state snapshot, compressed and committed as the
 * runtime does: each snapshot in a file of its own (`layout: 'own-files'`, the default), or all
 * of them back to back in one merged file (`layout: 'merged'`). Works with the sources' or the
 * compiled module (pass either).
 */
import path from 'node:path';
import type * as Storage from '../../../src/storage/index.js';
import { compressibleBytes } from './files.js';

/** Operators of the test job: names with characters that need encoding. */
export const OPERATORS = [
  { name: 'Source: numbers', parallelism: 2, channels: false },
  { name: 'Map -> Keyed/Reduce', parallelism: 2, channels: true },
] as const;

/** Writes the files of checkpoint `checkpointId` and commits it; returns its metadata. */
export async function writeCheckpoint(
  storage: typeof Storage,
  checkpoints: Storage.CheckpointStorage,
  checkpointId: number,
  options: { rawBytes?: number; layout?: 'own-files' | 'merged' } = {},
): Promise<Storage.CheckpointMetadata> {
  const dir = await checkpoints.prepare(checkpointId);
  const files: Storage.CheckpointFile[] = [];
  const segments: Storage.CheckpointSegment[] = [];
  const merged: Uint8Array[] = [];
  const mergedFile = storage.mergedFileName(0);
  let offset = 0;
  const subtasks: Storage.SubtaskSnapshot[] = [];
  for (const [operatorIndex, operator] of OPERATORS.entries()) {
    for (let subtaskIndex = 0; subtaskIndex < operator.parallelism; subtaskIndex++) {
      const seed = checkpointId * 1000 + operatorIndex * 10 + subtaskIndex + 1;
      const write = async (kind: Storage.SnapshotFileKind, bytes: Uint8Array): Promise<string> => {
        const name = storage.snapshotFileName(operator.name, subtaskIndex, kind);
        if (options.layout === 'merged') {
          const { data, ...info } = await storage.encodeSnapshot(bytes, { store: kind === 'channels' });
          segments.push({ name, file: mergedFile, offset, ...info });
          merged.push(data);
          offset += info.bytes;
          return name;
        }
        const entries = storage.ownFileEntries(name, await storage.writeSnapshotFile(path.join(dir, name), bytes));
        files.push(entries.file);
        segments.push(entries.segment);
        return name;
      };
      const state = await write('state', compressibleBytes(options.rawBytes ?? 20_000 + seed, seed));
      const channels = operator.channels ? await write('channels', compressibleBytes(3_000 + seed, seed + 500)) : undefined;
      subtasks.push({
        operator: operator.name,
        subtaskIndex,
        parallelism: operator.parallelism,
        state,
        ...(channels === undefined ? {} : { channels }),
        stats: { syncDurationMs: 1, asyncDurationMs: 2, unaligned: operator.channels },
      });
    }
  }
  if (merged.length > 0) files.push({ name: mergedFile, bytes: await storage.writeMergedFile(path.join(dir, mergedFile), merged) });
  const metadata = storage.checkpointMetadata({
    job: checkpoints.job,
    checkpointId,
    kind: 'checkpoint',
    mode: 'unaligned',
    triggerTimestamp: 1_700_000_000_000 + checkpointId * 1000,
    completedTimestamp: 1_700_000_000_500 + checkpointId * 1000,
    files,
    segments,
    subtasks,
    stats: { checkpointedBytes: files.reduce((sum, file) => sum + file.bytes, 0), persistedInFlightBytes: 123 },
  });
  await checkpoints.commit(metadata);
  return metadata;
}

/** Path of a file of checkpoint `checkpointId`, by operator, subtask and kind (written with `layout: 'own-files'`). */
export function fileOf(
  checkpoints: Storage.CheckpointStorage,
  checkpointId: number,
  operator: (typeof OPERATORS)[number],
  subtaskIndex: number,
  kind: Storage.SnapshotFileKind,
): string {
  return checkpoints.snapshotFilePath(checkpointId, operator.name, subtaskIndex, kind);
}
