/**
 * The checkpoints of one job, on the main thread: where checkpoint n's files go, committing its
 * metadata, discarding an aborted one, listing and retaining completed ones, and finding the
 * newest one that can be restored. File contents are written and read by the {@link IoPool}.
 */
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, makeDirectoryDurably } from './durable-file.js';
import type { IoPool } from './io-pool.js';
import { METADATA_FILE, checkpointDirectoryName, jobDirectory, parseCheckpointDirectoryName, snapshotFileName } from './layout.js';
import type { SnapshotFileKind } from './layout.js';
import { commitCheckpointMetadata, parseCheckpointMetadata, readCheckpointMetadata, segmentsByFile } from './metadata.js';
import type { CheckpointLocation, CheckpointMetadata } from './metadata.js';
import { writeSavepoint } from './savepoint.js';
import type { SavepointMetadataFields } from './savepoint.js';
import { checkSegmentedFile } from './snapshot-file.js';
import type { SnapshotFileVerification } from './snapshot-file.js';
import { CheckpointMetadataError, CheckpointWriteError } from './storage-errors.js';
import type { CheckpointCorruptError, SnapshotFileProblem } from './storage-errors.js';

/** Where a job's checkpoints live. */
export interface CheckpointStorageOptions {
  /** The checkpoint root directory (`--checkpoint-dir`); the job's directory is created under it. */
  readonly checkpointDir: string;
  /** The job's name; percent-encoded into the job directory's name. */
  readonly job: string;
}

/** A completed checkpoint: its `_metadata` exists and is valid. */
export interface CompletedCheckpoint extends CheckpointLocation {
  readonly checkpointId: number;
}

/** A checkpoint that restore passed over, and why. */
export interface SkippedCheckpoint {
  readonly checkpointId: number;
  /** Name of the bad file in the checkpoint's directory (`_metadata` if the metadata itself is bad). */
  readonly file: string;
  /** The damaged segment of that file, and where it starts; absent when the file as a whole is bad. */
  readonly segment?: string;
  readonly offset?: number;
  readonly reason: SnapshotFileProblem;
  /** A sentence for the log: which file, what is wrong with it. */
  readonly message: string;
}

/** What {@link CheckpointStorage.findRestorable} found: the checkpoint to restore, if any, and those it passed over, newest first. */
export type RestorableCheckpoint =
  | { readonly metadata: CheckpointMetadata; readonly dir: string; readonly skipped: readonly SkippedCheckpoint[] }
  | { readonly metadata: undefined; readonly dir: undefined; readonly skipped: readonly SkippedCheckpoint[] };

/** Options of {@link CheckpointStorage.findRestorable}. */
export interface FindRestorableOptions {
  /** Check each listed file's size only (default), or its size and SHA-256. */
  readonly verify?: SnapshotFileVerification;
  /** Checks files on this pool's threads, concurrently; without it they are checked on this thread, one by one. */
  readonly pool?: IoPool;
}

/** What {@link CheckpointStorage.retain} deleted. */
export interface RetentionResult {
  /** Ids of the completed checkpoints deleted, ascending. */
  readonly deletedCheckpoints: readonly number[];
  /** Ids of the incomplete (aborted or crashed) checkpoint directories deleted, ascending. */
  readonly deletedIncomplete: readonly number[];
}

/** One `chk-<n>` directory, as a scan of the job directory found it. */
type ScannedDirectory =
  | { readonly state: 'completed'; readonly checkpointId: number; readonly dir: string; readonly metadata: CheckpointMetadata }
  | { readonly state: 'savepoint'; readonly checkpointId: number; readonly dir: string }
  | { readonly state: 'invalid'; readonly checkpointId: number; readonly dir: string; readonly error: CheckpointMetadataError }
  | { readonly state: 'incomplete'; readonly checkpointId: number; readonly dir: string };

/** The checkpoints of one job, in `<checkpointDir>/<job>/chk-<n>/`. */
export class CheckpointStorage {
  /** The job's name. */
  readonly job: string;
  /** Absolute path of the job's checkpoint directory. */
  readonly jobDir: string;

  constructor(options: CheckpointStorageOptions) {
    if (typeof options.checkpointDir !== 'string' || options.checkpointDir.length === 0) {
      throw new TypeError(`options.checkpointDir must be a non-empty string, got ${JSON.stringify(options.checkpointDir)}`);
    }
    this.job = options.job;
    this.jobDir = path.resolve(jobDirectory(options.checkpointDir, options.job));
  }

  /** Absolute path of checkpoint `checkpointId`'s directory. */
  checkpointDir(checkpointId: number): string {
    return path.join(this.jobDir, checkpointDirectoryName(checkpointId));
  }

  /** Absolute path of a subtask's snapshot file in checkpoint `checkpointId`; `operator` is the chain head's uid. */
  snapshotFilePath(checkpointId: number, operator: string, subtaskIndex: number, kind: SnapshotFileKind): string {
    return path.join(this.checkpointDir(checkpointId), snapshotFileName(operator, subtaskIndex, kind));
  }

  /**
   * Creates checkpoint `checkpointId`'s directory (and the job's) durably, and returns it. Leftovers
   * of an earlier attempt at the same id that never completed are removed first. Throws a
   * CheckpointWriteError if checkpoint `checkpointId` already completed: ids are never reused.
   */
  async prepare(checkpointId: number): Promise<string> {
    const dir = this.checkpointDir(checkpointId);
    if (await exists(path.join(dir, METADATA_FILE))) {
      throw new CheckpointWriteError(dir, `checkpoint ${checkpointId} of job '${this.job}' already exists in ${dir}: checkpoint ids must not be reused`);
    }
    await rm(dir, { recursive: true, force: true });
    await makeDirectoryDurably(dir);
    return dir;
  }

  /**
   * Completes a checkpoint by committing its metadata into its directory (temporary file, fsync,
   * rename, fsync of the directory). Every file it lists must have been written there (and fsynced)
   * with the recorded size. Throws if the metadata is not a checkpoint of this job.
   */
  async commit(metadata: CheckpointMetadata<object>): Promise<void> {
    if (metadata.kind !== 'checkpoint') throw new TypeError(`commit() takes checkpoints; write a savepoint with writeSavepoint(), got kind '${metadata.kind}'`);
    if (metadata.job !== this.job) throw new TypeError(`metadata of job '${metadata.job}' cannot be committed into the checkpoints of job '${this.job}'`);
    await commitCheckpointMetadata(this.checkpointDir(metadata.checkpointId), metadata);
  }

  /**
   * Removes the directory of an aborted checkpoint with everything in it. A checkpoint that
   * completed is never discarded this way: that throws, and {@link retain} deletes old ones.
   */
  async discard(checkpointId: number): Promise<void> {
    const dir = this.checkpointDir(checkpointId);
    if (await exists(path.join(dir, METADATA_FILE))) {
      throw new Error(`checkpoint ${checkpointId} of job '${this.job}' completed: discard() removes only aborted checkpoints`);
    }
    await rm(dir, { recursive: true, force: true });
  }

  /** The completed checkpoints of the job, ascending by id: `chk-<n>` directories with a valid `_metadata` of this job and id. */
  async list(): Promise<CompletedCheckpoint[]> {
    const completed: CompletedCheckpoint[] = [];
    for (const entry of await this.#scan()) {
      if (entry.state === 'completed') completed.push({ checkpointId: entry.checkpointId, dir: entry.dir, metadata: entry.metadata });
    }
    return completed;
  }

  /**
   * The highest id of any `chk-<n>` directory of the job, complete or not, or undefined if there
   * is none. After a restore, number new checkpoints from this + 1: an id whose directory holds a
   * `_metadata` (even a corrupt checkpoint's) cannot be prepared again.
   */
  async highestCheckpointId(): Promise<number | undefined> {
    const scanned = await this.#scan();
    return scanned.length === 0 ? undefined : scanned[scanned.length - 1]!.checkpointId;
  }

  /**
   * After a checkpoint completed: deletes every completed checkpoint but the newest `keep`, and
   * every incomplete `chk-<n>` directory older than the newest completed checkpoint (an aborted or
   * crashed attempt; the coordinator must have aborted any older checkpoint still pending).
   * Incomplete directories newer than the newest completed one may be in progress and are kept,
   * as is every directory whose `_metadata` is a savepoint's. Savepoints elsewhere are never seen.
   * A deleted checkpoint loses its `_metadata` first, so a crash midway leaves an incomplete one.
   */
  async retain(keep: number): Promise<RetentionResult> {
    if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`retain() keeps at least one checkpoint, got ${keep}`);
    const scanned = await this.#scan();
    const completed = scanned.filter((entry) => entry.state === 'completed');
    if (completed.length === 0) return { deletedCheckpoints: [], deletedIncomplete: [] };
    const newestCompleted = completed[completed.length - 1]!.checkpointId;
    const deletedCheckpoints = completed.slice(0, Math.max(0, completed.length - keep)).map((entry) => entry.checkpointId);
    const deletedIncomplete = scanned
      .filter((entry) => (entry.state === 'incomplete' || entry.state === 'invalid') && entry.checkpointId < newestCompleted)
      .map((entry) => entry.checkpointId);
    for (const checkpointId of [...deletedCheckpoints, ...deletedIncomplete]) {
      const dir = this.checkpointDir(checkpointId);
      await rm(path.join(dir, METADATA_FILE), { force: true });
      await rm(dir, { recursive: true, force: true });
    }
    if (deletedCheckpoints.length + deletedIncomplete.length > 0) await fsyncDirectory(this.jobDir);
    return { deletedCheckpoints, deletedIncomplete: deletedIncomplete.sort((a, b) => a - b) };
  }

  /**
   * The newest completed checkpoint whose every listed file exists with its recorded size (and,
   * with `verify: 'checksum'`, whose every segment has its recorded SHA-256), walking from the
   * newest back. Checkpoints with a bad `_metadata`, a missing or truncated file or a corrupt
   * segment are passed over and listed in `skipped`, newest first, one entry per bad file or segment, so the caller can say why it restores an
   * older one. `metadata` and `dir` are undefined if no checkpoint can be restored.
   */
  async findRestorable(options: FindRestorableOptions = {}): Promise<RestorableCheckpoint> {
    const verify = options.verify ?? 'size';
    if (verify !== 'size' && verify !== 'checksum') throw new TypeError(`options.verify must be 'size' or 'checksum', got ${JSON.stringify(verify)}`);
    const skipped: SkippedCheckpoint[] = [];
    const scanned = await this.#scan();
    for (const entry of scanned.reverse()) {
      if (entry.state === 'invalid') {
        skipped.push({ checkpointId: entry.checkpointId, file: METADATA_FILE, reason: 'corrupt', message: entry.error.message });
        continue;
      }
      if (entry.state !== 'completed') continue;
      const problems = await this.#checkFiles(entry.dir, entry.metadata, verify, options.pool);
      if (problems.length === 0) return { metadata: entry.metadata, dir: entry.dir, skipped };
      for (const problem of problems) {
        skipped.push({
          checkpointId: entry.checkpointId,
          file: path.basename(problem.file),
          ...(problem.segment === undefined ? {} : { segment: problem.segment, offset: problem.offset }),
          reason: problem.reason,
          message: problem.message,
        });
      }
    }
    return { metadata: undefined, dir: undefined, skipped };
  }

  /**
   * Reads a checkpoint's or savepoint's metadata, given its directory or its `_metadata` file
   * (`--restore <path>`). Throws a CheckpointMetadataError if it is missing or invalid.
   */
  static readMetadata(location: string): Promise<CheckpointLocation> {
    return readCheckpointMetadata(location);
  }

  /**
   * Writes a savepoint into the user-named directory `dir` (absent or empty): `write(dir)` writes
   * the snapshot files and resolves to the metadata fields; the metadata is committed with
   * `kind: 'savepoint'`. Savepoints are never deleted by retention. See savepoint.ts.
   */
  static writeSavepoint<Stats extends object>(dir: string, write: (dir: string) => Promise<SavepointMetadataFields<Stats>>): Promise<CheckpointLocation> {
    return writeSavepoint(dir, write);
  }

  async #checkFiles(dir: string, metadata: CheckpointMetadata, verify: SnapshotFileVerification, pool: IoPool | undefined): Promise<CheckpointCorruptError[]> {
    const checks = segmentsByFile(metadata).map(({ file, segments }) => ({ path: path.join(dir, file.name), bytes: file.bytes, segments, verify }));
    const problems: CheckpointCorruptError[] = [];
    if (pool === undefined) {
      for (const check of checks) problems.push(...(await checkSegmentedFile(check.path, check.bytes, check.segments, verify)));
    } else {
      for (const found of await Promise.all(checks.map((check) => pool.checkSegmentedFile(check)))) problems.push(...found);
    }
    return problems;
  }

  /** Every `chk-<n>` directory of the job, ascending by id, with what its `_metadata` says. */
  async #scan(): Promise<ScannedDirectory[]> {
    let entries;
    try {
      entries = await readdir(this.jobDir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const scanned: ScannedDirectory[] = [];
    for (const entry of entries) {
      const checkpointId = parseCheckpointDirectoryName(entry.name);
      if (checkpointId === undefined || !entry.isDirectory()) continue;
      const dir = path.join(this.jobDir, entry.name);
      const file = path.join(dir, METADATA_FILE);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          scanned.push({ state: 'incomplete', checkpointId, dir });
          continue;
        }
        throw error;
      }
      try {
        const metadata = parseCheckpointMetadata(text, file);
        if (metadata.kind === 'savepoint') {
          scanned.push({ state: 'savepoint', checkpointId, dir });
        } else if (metadata.checkpointId !== checkpointId || metadata.job !== this.job) {
          const field = metadata.checkpointId !== checkpointId ? 'checkpointId' : 'job';
          const message = `${file}: field '${field}' is ${JSON.stringify(metadata[field])}, but the directory belongs to checkpoint ${checkpointId} of job '${this.job}'`;
          scanned.push({ state: 'invalid', checkpointId, dir, error: new CheckpointMetadataError(file, field, message) });
        } else {
          scanned.push({ state: 'completed', checkpointId, dir, metadata });
        }
      } catch (error) {
        if (!(error instanceof CheckpointMetadataError)) throw error;
        scanned.push({ state: 'invalid', checkpointId, dir, error });
      }
    }
    return scanned.sort((a, b) => a.checkpointId - b.checkpointId);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
