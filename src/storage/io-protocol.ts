/**
 * Messages between the main thread ({@link IoPool}) and the I/O pool's worker (io-worker.ts):
 * tasks and results as tagged unions, and storage errors in a form that survives the thread
 * boundary (structured clone keeps an Error's message but drops `code`, `file`, `reason`).
 */
import { SluiceError } from '../errors/sluice-error.js';
import type { ExpectedSegment, ExpectedSnapshotFile, SnapshotFileInfo, SnapshotFileVerification } from './snapshot-file.js';
import { CheckpointCorruptError, CheckpointMetadataError, CheckpointWriteError, SnapshotCodecError } from './storage-errors.js';
import type { SnapshotFileProblem } from './storage-errors.js';

/** A task for the I/O pool. */
export type IoTask =
  | {
      readonly type: 'write-snapshot-file';
      readonly path: string;
      /** Holds the raw snapshot at `[byteOffset, byteOffset + byteLength)`; transferred, unless shared. */
      readonly buffer: ArrayBufferLike;
      readonly byteOffset: number;
      readonly byteLength: number;
      readonly level: number | undefined;
      /** Write the frames uncompressed. */
      readonly store: boolean;
    }
  | {
      readonly type: 'encode-snapshot';
      /** Holds the raw snapshot at `[byteOffset, byteLength + byteLength)`; transferred, unless shared. */
      readonly buffer: ArrayBufferLike;
      readonly byteOffset: number;
      readonly byteLength: number;
      readonly level: number | undefined;
      readonly store: boolean;
    }
  /** Segments' containers, written back to back with one fsync; transferred. */
  | { readonly type: 'write-merged-file'; readonly path: string; readonly parts: readonly ArrayBuffer[] }
  | { readonly type: 'read-snapshot-file'; readonly path: string; readonly expected: ExpectedSnapshotFile }
  | { readonly type: 'read-snapshot-segment'; readonly path: string; readonly segment: ExpectedSegment }
  | {
      readonly type: 'check-segmented-file';
      readonly path: string;
      readonly bytes: number;
      readonly segments: readonly ExpectedSegment[];
      readonly verify: SnapshotFileVerification;
    }
  | { readonly type: 'check-snapshot-file'; readonly path: string; readonly expected: ExpectedSnapshotFile; readonly verify: SnapshotFileVerification };

/** What the worker returns for a task. */
export type IoResult =
  | { readonly type: 'written'; readonly info: SnapshotFileInfo }
  /** The container, exactly, transferred; and its figures. */
  | { readonly type: 'encoded'; readonly data: ArrayBuffer; readonly info: SnapshotFileInfo }
  | { readonly type: 'written-merged'; readonly bytes: number }
  | { readonly type: 'checked-segments'; readonly problems: readonly SerializedStorageError[] }
  /** The decompressed snapshot, exactly; transferred. */
  | { readonly type: 'read'; readonly bytes: ArrayBuffer }
  | { readonly type: 'checked'; readonly problem: SerializedStorageError | undefined }
  | { readonly type: 'failed'; readonly error: SerializedStorageError };

/** A storage error as plain data. */
export interface SerializedStorageError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly file: string | undefined;
  readonly reason: SnapshotFileProblem | undefined;
  /** The damaged segment and its offset, for a CheckpointCorruptError about one. */
  readonly segment: string | undefined;
  readonly offset: number | undefined;
  readonly field: string | undefined;
  /** The cause's message and errno code (ENOSPC, ...), if it had a cause. */
  readonly cause: { readonly message: string; readonly code: string | undefined } | undefined;
}

/** The error as plain data if it is one of storage's errors, else undefined (it is rethrown as is). */
export function serializeStorageError(error: unknown): SerializedStorageError | undefined {
  if (!(error instanceof SnapshotCodecError || error instanceof CheckpointCorruptError || error instanceof CheckpointMetadataError || error instanceof CheckpointWriteError)) {
    return undefined;
  }
  const cause = error.cause;
  return {
    name: error.name,
    code: error.code,
    message: error.message,
    stack: error.stack,
    file: 'file' in error ? error.file : undefined,
    reason: error instanceof CheckpointCorruptError ? error.reason : undefined,
    segment: error instanceof CheckpointCorruptError ? error.segment : undefined,
    offset: error instanceof CheckpointCorruptError ? error.offset : undefined,
    field: error instanceof CheckpointMetadataError ? error.field : undefined,
    cause:
      cause === undefined
        ? undefined
        : { message: cause instanceof Error ? cause.message : String(cause), code: (cause as NodeJS.ErrnoException | undefined)?.code },
  };
}

/** The error class instance {@link serializeStorageError} described, rebuilt on this thread. */
export function deserializeStorageError(serialized: SerializedStorageError): SluiceError {
  let cause: Error | undefined;
  if (serialized.cause !== undefined) {
    cause = Object.assign(new Error(serialized.cause.message), serialized.cause.code === undefined ? {} : { code: serialized.cause.code });
  }
  const options = cause === undefined ? undefined : { cause };
  const where = serialized.segment === undefined || serialized.offset === undefined ? undefined : { segment: serialized.segment, offset: serialized.offset };
  const file = serialized.file ?? '(unknown file)';
  let error: SluiceError;
  switch (serialized.code) {
    case 'SLUICE_SNAPSHOT_CODEC':
      error = new SnapshotCodecError(serialized.message, options);
      break;
    case 'SLUICE_CHECKPOINT_CORRUPT':
      error = new CheckpointCorruptError(file, serialized.reason ?? 'corrupt', serialized.message, { ...options, ...(where ? { where } : {}) });
      break;
    case 'SLUICE_CHECKPOINT_METADATA':
      error = new CheckpointMetadataError(file, serialized.field ?? '', serialized.message, options);
      break;
    case 'SLUICE_CHECKPOINT_WRITE':
      error = new CheckpointWriteError(file, serialized.message, options);
      break;
    default:
      error = new SluiceError(serialized.code, serialized.message, options);
  }
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}
