/**
 * Savepoints: checkpoints in the same format, written on request into a directory the user names,
 * outside the job's checkpoint directory, which retention never deletes.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeDirectoryDurably } from './durable-file.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_METADATA_VERSION, commitCheckpointMetadata } from './metadata.js';
import type { CheckpointLocation, CheckpointMetadata, CheckpointMetadataFields } from './metadata.js';
import { CheckpointWriteError } from './storage-errors.js';

/** What a savepoint's writer supplies: every metadata field but `format`, `version` and `kind`. */
export type SavepointMetadataFields<Stats extends object = Readonly<Record<string, unknown>>> = Omit<CheckpointMetadataFields<Stats>, 'kind'>;

/**
 * Writes a savepoint into `dir`: creates it (it must not exist, or be empty), calls `write(dir)`
 * to write the snapshot files there (through the I/O pool, named as in a checkpoint), then commits
 * the metadata `write` resolves to with `kind: 'savepoint'`, by the same protocol as a checkpoint.
 * If `write` or the commit fails, whatever was written into `dir` is removed, and the error is
 * rethrown. Resolves to the committed metadata and the absolute directory.
 */
export async function writeSavepoint<Stats extends object>(
  dir: string,
  write: (dir: string) => Promise<SavepointMetadataFields<Stats>>,
): Promise<CheckpointLocation> {
  const target = path.resolve(dir);
  const existed = await prepareSavepointDirectory(target);
  try {
    const fields = await write(target);
    const metadata: CheckpointMetadata<Stats> = { ...fields, format: CHECKPOINT_FORMAT, version: CHECKPOINT_METADATA_VERSION, kind: 'savepoint' };
    await commitCheckpointMetadata(target, metadata);
    return { metadata: metadata as CheckpointMetadata, dir: target };
  } catch (error) {
    // Leave the directory as it was: absent, or empty.
    if (existed) {
      for (const entry of await readdir(target).catch(() => [])) await rm(path.join(target, entry), { recursive: true, force: true });
    } else {
      await rm(target, { recursive: true, force: true });
    }
    throw error;
  }
}

/** Creates the savepoint directory, or accepts an existing empty one; returns whether it existed. */
async function prepareSavepointDirectory(target: string): Promise<boolean> {
  let existing;
  try {
    existing = await stat(target);
  } catch {
    await makeDirectoryDurably(target);
    return false;
  }
  if (!existing.isDirectory()) throw new CheckpointWriteError(target, `cannot write a savepoint to ${target}: it exists and is not a directory`);
  const entries = await readdir(target);
  if (entries.length > 0) {
    throw new CheckpointWriteError(target, `cannot write a savepoint to ${target}: the directory is not empty (${entries.length} entries); choose a new directory`);
  }
  return true;
}
