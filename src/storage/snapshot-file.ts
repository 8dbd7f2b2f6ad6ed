/**
 * A snapshot file: one subtask's state or channel state, compressed into a zstd container and
 * written durably; its size and the SHA-256 of its bytes on disk go into `_metadata`. Reading
 * verifies both before decompressing. These functions do CPU-heavy work synchronously between
 * awaits (compression, hashing): the runtime calls them on the I/O pool ({@link IoPool}), whose
 * worker is a thin wrapper around them.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { sha256Hex, sha256OfFile } from './checksum.js';
import { writeFileDurably } from './durable-file.js';
import { CheckpointCorruptError } from './storage-errors.js';
import type { SnapshotFileProblem } from './storage-errors.js';
import { SnapshotCodec } from './zstd.js';
import type { SnapshotCompressOptions } from './zstd.js';

/** What writing a snapshot file produced: the figures `_metadata` records for it. */
export interface SnapshotFileInfo {
  /** Bytes of the file on disk. */
  readonly bytes: number;
  /** Bytes of the snapshot before compression. */
  readonly rawBytes: number;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** What `_metadata` says a snapshot file holds. */
export interface ExpectedSnapshotFile {
  /** Bytes of the file on disk. */
  readonly bytes: number;
  /** SHA-256 of the file's bytes. */
  readonly sha256: string;
  /** Bytes after decompression; checked when given. */
  readonly rawBytes?: number;
}

/** How thoroughly to check a file without reading its content: its size only, or also its checksum. */
export type SnapshotFileVerification = 'size' | 'checksum';

/**
 * Compresses `raw` ({@link SnapshotCodec}, default level 1), hashes the compressed bytes, writes
 * them to `file` (created or truncated) and fsyncs it. The directory entry becomes durable when
 * the checkpoint commits (it fsyncs the directory). Rejects with a CheckpointWriteError naming the
 * file if writing fails.
 */
export async function writeSnapshotFile(file: string, raw: Uint8Array, options?: SnapshotCompressOptions): Promise<SnapshotFileInfo> {
  const codec = await SnapshotCodec.load();
  const compressed = codec.compress(raw, options);
  const sha256 = sha256Hex(compressed);
  await writeFileDurably(file, compressed);
  return { bytes: compressed.length, rawBytes: raw.length, sha256 };
}

/**
 * Reads a snapshot file, checks its size and checksum against `expected`, and decompresses it.
 * The result owns its buffer exactly, so `result.buffer` can be transferred. Rejects with a
 * {@link CheckpointCorruptError} naming the file and saying whether it is missing, truncated
 * (size differs) or corrupt (checksum differs, or it cannot be decompressed).
 */
export async function readSnapshotFile(file: string, expected: ExpectedSnapshotFile): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileError(file, error);
  }
  let compressed: Uint8Array;
  try {
    const { size } = await handle.stat();
    if (size !== expected.bytes) throw sizeMismatch(file, size, expected.bytes);
    compressed = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(compressed, offset, size - offset, offset);
      if (bytesRead === 0) throw sizeMismatch(file, offset, expected.bytes);
      offset += bytesRead;
    }
  } catch (error) {
    throw fileError(file, error);
  } finally {
    await handle.close();
  }
  const sha256 = sha256Hex(compressed);
  if (sha256 !== expected.sha256) throw checksumMismatch(file, sha256, expected.sha256);
  let raw: Uint8Array;
  try {
    raw = (await SnapshotCodec.load()).decompress(compressed);
  } catch (error) {
    throw new CheckpointCorruptError(file, 'corrupt', `checkpoint file ${file} is corrupt: ${(error as Error).message}; restore from an earlier checkpoint`, {
      cause: error,
    });
  }
  if (expected.rawBytes !== undefined && raw.length !== expected.rawBytes) {
    throw new CheckpointCorruptError(
      file,
      'corrupt',
      `checkpoint file ${file} is corrupt: it decompresses to ${raw.length} bytes, its _metadata records ${expected.rawBytes}; restore from an earlier checkpoint`,
    );
  }
  return raw;
}

/**
 * Checks that a snapshot file exists with the recorded size and, with `verify: 'checksum'`, the
 * recorded SHA-256 (read in 1 MiB chunks, yielding between them). Returns the problem as a
 * {@link CheckpointCorruptError}, or undefined if the file passes. Does not decompress.
 */
export async function checkSnapshotFile(
  file: string,
  expected: ExpectedSnapshotFile,
  verify: SnapshotFileVerification,
): Promise<CheckpointCorruptError | undefined> {
  try {
    const { size } = await stat(file);
    if (size !== expected.bytes) return sizeMismatch(file, size, expected.bytes);
    if (verify === 'size') return undefined;
    const digest = await sha256OfFile(file);
    if (digest.bytes !== expected.bytes) return sizeMismatch(file, digest.bytes, expected.bytes);
    if (digest.sha256 !== expected.sha256) return checksumMismatch(file, digest.sha256, expected.sha256);
    return undefined;
  } catch (error) {
    return fileError(file, error);
  }
}

function sizeMismatch(file: string, actual: number, expected: number): CheckpointCorruptError {
  return new CheckpointCorruptError(
    file,
    'truncated',
    `checkpoint file ${file} is truncated: it has ${actual} bytes, its _metadata records ${expected}; restore from an earlier checkpoint`,
  );
}

function checksumMismatch(file: string, actual: string, expected: string): CheckpointCorruptError {
  return new CheckpointCorruptError(
    file,
    'corrupt',
    `checkpoint file ${file} is corrupt: its SHA-256 is ${actual}, its _metadata records ${expected}; restore from an earlier checkpoint`,
  );
}

/** A file system error while opening or reading a snapshot file, as a CheckpointCorruptError. */
function fileError(file: string, error: unknown): CheckpointCorruptError {
  if (error instanceof CheckpointCorruptError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason: SnapshotFileProblem = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'corrupt';
  const message =
    reason === 'missing'
      ? `checkpoint file ${file} is missing; restore from an earlier checkpoint`
      : `checkpoint file ${file} cannot be read (${(error as Error).message}); restore from an earlier checkpoint`;
  return new CheckpointCorruptError(file, reason, message, { cause: error });
}
