/**
 * One run at a time per job checkpoint directory. A run creates `<jobDir>/_lock` exclusively with
 * its pid, host and start time; a second run finds it and is refused with a message that names the
 * holder. A lock whose process no longer exists on this host (a run killed with SIGKILL) is stale
 * and taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheckpointDirectoryLockedError } from './storage-errors.js';

/** The lock file's name in the job's checkpoint directory. */
export const LOCK_FILE = '_lock';

/** What a lock file records about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock, ISO 8601. */
  readonly startedAt: string;
  readonly job: string;
}

/** Whether process `pid` exists on this host. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.startedAt !== 'string') return undefined;
    return { pid: value.pid, host: value.host, startedAt: value.startedAt, job: String(value.job ?? '') };
  } catch {
    return undefined;
  }
}

/** A held lock on a job's checkpoint directory; {@link release} is idempotent. */
export class JobLock {
  /** The lock file. */
  readonly file: string;
  /** What this lock records. */
  readonly holder: LockHolder;
  #released = false;

  private constructor(file: string, holder: LockHolder) {
    this.file = file;
    this.holder = holder;
  }

  /**
   * Takes the lock of `jobDir` (which must exist) for `job`. Throws a
   * {@link CheckpointDirectoryLockedError} when a live run holds it; takes over a stale lock.
   */
  static async acquire(jobDir: string, job: string): Promise<JobLock> {
    const file = path.join(jobDir, LOCK_FILE);
    const holder: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), job };
    for (let tries = 0; ; tries++) {
      try {
        await writeFile(file, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
        return new JobLock(file, holder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let text = '';
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw error;
      }
      const current = parseHolder(text);
      // A holder on this host whose process is gone is stale; a lock file being written right now
      // (empty) or from another host is taken as held.
      const stale = current !== undefined && current.host === os.hostname() && !processExists(current.pid);
      if (stale && tries < 3) {
        await rm(file, { force: true });
        continue;
      }
      const who = current
        ? `process ${current.pid} on ${current.host}, running since ${current.startedAt}`
        : `an unknown process (the lock file holds ${JSON.stringify(text.slice(0, 80))})`;
      throw new CheckpointDirectoryLockedError(
        file,
        `the checkpoint directory ${jobDir} of job '${job}' is in use by ${who}; ` +
          `wait for that run to end or stop it, or give this run another --checkpoint-dir or job name ` +
          `(if no such run exists, remove ${file})`,
      );
    }
  }

  /** Removes the lock file if this lock still owns it. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      const current = parseHolder(await readFile(this.file, 'utf8'));
      if (current?.pid !== this.holder.pid || current.startedAt !== this.holder.startedAt) return;
    } catch {
      return;
    }
    await rm(this.file, { force: true });
  }
}
