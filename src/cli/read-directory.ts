import { readdir, stat } from 'node:fs/promises';
import { UsageError } from './usage-error.js';

/** The names in `dir`; a `sluice checkpoints` usage error that says `missing` if it does not exist, or that it is no directory. */
export async function readDirectory(dir: string, missing: string): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch {
    throw new UsageError('checkpoints', missing);
  }
  if (!isDirectory) throw new UsageError('checkpoints', `${dir} is not a directory`);
  return readdir(dir);
}
