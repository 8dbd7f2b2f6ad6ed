/**
 * Errors of checkpoint storage. Each names the file it is about, so a message printed at
 * restore says which checkpoint and which file could not be used, and why.
 */
import { SluiceError } from '../errors/sluice-error.js';

/** A snapshot container could not be encoded or decoded (bad magic, bad index, undecodable frame). */
export class SnapshotCodecError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_SNAPSHOT_CODEC', message, options);
  }
}

/**
 * Why a snapshot file listed in a checkpoint's `_metadata` cannot be used:
 * - `missing`: the file does not exist;
 * - `truncated`: its size differs from the size `_metadata` records;
 * - `corrupt`: its checksum differs, or its content cannot be decoded.
 */
export type SnapshotFileProblem = 'missing' | 'truncated' | 'corrupt';

/** Where in a file the damage is: the segment and its offset. */
export interface DamagedSegment {
  /** The segment's name, as `_metadata` lists it. */
  readonly segment: string;
  /** Where it starts in the file. */
  readonly offset: number;
}

/** A snapshot file or segment of a checkpoint is missing, truncated or corrupt: restore from another checkpoint. */
export class CheckpointCorruptError extends SluiceError {
  /** Absolute path of the file. */
  readonly file: string;
  /** What is wrong with it. */
  readonly reason: SnapshotFileProblem;
  /** The damaged segment of the file (the first one cut off, for a truncated file); absent when the file as a whole is. */
  readonly segment: string | undefined;
  /** Where that segment starts in the file. */
  readonly offset: number | undefined;

  constructor(file: string, reason: SnapshotFileProblem, message: string, options?: { cause?: unknown; where?: DamagedSegment }) {
    super('SLUICE_CHECKPOINT_CORRUPT', message, options);
    this.file = file;
    this.reason = reason;
    this.segment = options?.where?.segment;
    this.offset = options?.where?.offset;
  }
}

/** A `_metadata` file is missing, is not JSON, or has a field that is missing or invalid. */
export class CheckpointMetadataError extends SluiceError {
  /** Absolute path of the `_metadata` file. */
  readonly file: string;
  /** Path of the bad field, such as `files[2].sha256`; `''` when the file as a whole is bad. */
  readonly field: string;

  constructor(file: string, field: string, message: string, options?: { cause?: unknown }) {
    super('SLUICE_CHECKPOINT_METADATA', message, options);
    this.file = file;
    this.field = field;
  }
}

/** Writing a checkpoint's file or committing its metadata failed (disk full, permissions, ...). */
export class CheckpointWriteError extends SluiceError {
  /** Absolute path of the file being written. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('SLUICE_CHECKPOINT_WRITE', message, options);
    this.file = file;
  }
}

/** The checkpoint directory cannot be used: it cannot be created, or a file in it cannot be written and synced. */
export class CheckpointStorageUnusableError extends SluiceError {
  /** The directory that was checked. */
  readonly dir: string;

  constructor(dir: string, message: string, options?: { cause?: unknown }) {
    super('SLUICE_CHECKPOINT_STORAGE', message, options);
    this.dir = dir;
  }
}

/** Another run holds the job's checkpoint directory. */
export class CheckpointDirectoryLockedError extends SluiceError {
  /** The lock file. */
  readonly file: string;

  constructor(file: string, message: string) {
    super('SLUICE_CHECKPOINT_DIR_LOCKED', message);
    this.file = file;
  }
}

/** `restore: 'latest'` found checkpoints, but every one is damaged. */
export class NoRestorableCheckpointError extends SluiceError {
  /** Each damaged checkpoint and why, newest first. */
  readonly skipped: ReadonlyArray<{ readonly checkpointId: number; readonly message: string }>;

  constructor(jobDir: string, skipped: ReadonlyArray<{ readonly checkpointId: number; readonly message: string }>) {
    const ids = [...new Set(skipped.map((entry) => entry.checkpointId))];
    super(
      'SLUICE_NO_RESTORABLE_CHECKPOINT',
      `--restore latest: every checkpoint in ${jobDir} is damaged (${ids.map((id) => `checkpoint ${id}`).join(', ')}):\n` +
        skipped.map((entry) => `  checkpoint ${entry.checkpointId}: ${entry.message}`).join('\n') +
        `\nnothing was run; restore a checkpoint or savepoint by its path, or start from the beginning with --start-fresh (startFresh: true), ` +
        `which leaves the existing output as it is`,
    );
    this.skipped = skipped;
  }
}
