/**
 * Checks at start that a job's checkpoint directory can hold checkpoints: it is created, a probe
 * file is written, fsynced and removed. A read-only directory or a path under a regular file then
 * fails the run before anything runs, instead of failing every checkpoint.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointStorageUnusableError } from './storage-errors.js';

/** What to tell a user about an errno of the storage check. */
function advice(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'it is not writable by this user: give write permission or choose another --checkpoint-dir';
    case 'EROFS':
      return 'it is on a read-only file system: choose another --checkpoint-dir';
    case 'ENOTDIR':
      return 'a part of the path is a regular file, not a directory: choose another --checkpoint-dir';
    case 'EEXIST':
      return 'it exists and is not a directory: choose another --checkpoint-dir';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk (or quota) is full: free space or choose another --checkpoint-dir';
    default:
      return 'choose another --checkpoint-dir';
  }
}

/**
 * Creates `jobDir` (and its parents), writes a probe file there, fsyncs it and removes it. Throws a
 * {@link CheckpointStorageUnusableError} (code `SLUICE_CHECKPOINT_STORAGE`) naming the directory,
 * the step that failed, and what to do.
 */
export async function checkCheckpointStorage(jobDir: string): Promise<void> {
  const probe = path.join(jobDir, `.sluice-probe-${process.pid}-${Date.now()}`);
  let step = 'creating it';
  try {
    await mkdir(jobDir, { recursive: true });
    step = 'writing a file in it';
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile('sluice checks that checkpoints can be written here\n');
      step = 'syncing a file in it';
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = 'removing a file from it';
    await rm(probe, { force: true });
  } catch (cause) {
    await rm(probe, { force: true }).catch(() => {});
    const code = (cause as NodeJS.ErrnoException).code;
    throw new CheckpointStorageUnusableError(
      jobDir,
      `the checkpoint directory ${jobDir} cannot hold checkpoints: ${step} failed with ${code ?? (cause instanceof Error ? cause.message : String(cause))}; ${advice(code)}`,
      { cause },
    );
  }
}
