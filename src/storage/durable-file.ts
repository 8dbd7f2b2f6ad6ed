/**
 * Durable writes: a file's content is on disk before a caller relies on it (fsync), and a file
 * that must appear whole appears whole or not at all (temporary file, fsync, rename, fsync of the
 * directory). Errors become {@link CheckpointWriteError}s naming the file.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointWriteError } from './storage-errors.js';

/**
 * Writes `data` to `file` (created or truncated) and fsyncs it. The directory entry of a new file
 * is durable only once its directory is fsynced: {@link writeFileAtomically} does that for its
 * target, and a checkpoint's commit does it for every file of the checkpoint.
 */
export async function writeFileDurably(file: string, data: Uint8Array | string): Promise<void> {
  try {
    const handle = await open(file, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new CheckpointWriteError(file, `could not write ${file}: ${describe(error)}`, { cause: error });
  }
}

/**
 * Fsyncs a directory, so that entries created, renamed or removed in it survive a crash.
 * A no-op on Windows, where directories cannot be opened for fsync.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new CheckpointWriteError(directory, `could not fsync directory ${directory}: ${describe(error)}`, { cause: error });
  }
}

/**
 * Makes `file` hold `data`, all or nothing, even across a crash: writes `temporaryFile`, fsyncs
 * it, renames it over `file`, then fsyncs the directory. A crash before the rename leaves at most
 * the temporary file; `file` never holds a partial write. Both must be in the same directory.
 */
export async function writeFileAtomically(file: string, temporaryFile: string, data: Uint8Array | string): Promise<void> {
  if (path.dirname(file) !== path.dirname(temporaryFile)) {
    throw new TypeError(`the temporary file must be in the directory of ${file}, got ${temporaryFile}`);
  }
  try {
    await writeFileDurably(temporaryFile, data);
    // Ordering: the content is durable (fsync above) before the name points at it.
    try {
      await rename(temporaryFile, file);
    } catch (error) {
      throw new CheckpointWriteError(file, `could not rename ${temporaryFile} to ${file}: ${describe(error)}`, { cause: error });
    }
  } catch (error) {
    await rm(temporaryFile, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(path.dirname(file));
}

/**
 * Creates `directory` and any missing parents, then fsyncs the parent of each directory it
 * created, so the new entries survive a crash. Does nothing to an existing directory.
 */
export async function makeDirectoryDurably(directory: string): Promise<void> {
  const target = path.resolve(directory);
  let firstCreated: string | undefined;
  try {
    firstCreated = await mkdir(target, { recursive: true });
  } catch (error) {
    throw new CheckpointWriteError(target, `could not create directory ${target}: ${describe(error)}`, { cause: error });
  }
  if (firstCreated === undefined) return;
  // Every level from the first created down to `target` is a new entry in its parent.
  for (let created = target; ; created = path.dirname(created)) {
    await fsyncDirectory(path.dirname(created));
    if (created === firstCreated || path.dirname(created) === created) break;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
