/**
 * Snapshot files and segments: one subtask's state or channel state, compressed into a zstd
 * container (a *segment*), with its size and the SHA-256 of its bytes on disk recorded in
 * `_metadata`. A segment is written either as a file of its own, or with the other small
 * segments of its checkpoint into one merged file, back to back, with one fsync for all
 * ({@link writeMergedFile}). Reading verifies size and checksum before decompressing. These
 * functions do CPU-heavy work synchronously between awaits (compression, hashing): the runtime
 * calls them on the I/O pool ({@link IoPool}), whose worker is a thin wrapper around them.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { FILE_HASH_CHUNK_BYTES, sha256Hex, sha256OfFile } from './checksum.js';
import { writeFileDurably } from './durable-file.js';
import { CheckpointCorruptError, CheckpointWriteError } from './storage-errors.js';
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

/** A segment as `_metadata` records it, and what it is for messages. */
export interface ExpectedSegment {
  /** The segment's name in `_metadata`. */
  readonly name: string;
  /** Where it starts in its file. */
  readonly offset: number;
  /** Its bytes on disk. */
  readonly bytes: number;
  /** SHA-256 of its bytes on disk. */
  readonly sha256: string;
  /** Bytes after decompression; checked when given. */
  readonly rawBytes?: number;
  /** What it holds, for messages: `state of 'map' subtask 2 of checkpoint 7`. */
  readonly about?: string;
}

/** A compressed segment, ready to be written: its bytes and the figures `_metadata` records. */
export interface EncodedSegment extends SnapshotFileInfo {
  /** The container, exactly (its buffer holds nothing else). */
  readonly data: Uint8Array;
}

/**
 * Compresses `raw` ({@link SnapshotCodec}, default level 1; or stores it, with `store`) and
 * hashes the result, without writing it: the segment's bytes for {@link writeMergedFile}.
 */
export async function encodeSnapshot(raw: Uint8Array, options?: SnapshotCompressOptions): Promise<EncodedSegment> {
  const codec = await SnapshotCodec.load();
  const data = codec.compress(raw, options);
  return { data, bytes: data.length, rawBytes: raw.length, sha256: sha256Hex(data) };
}

/**
 * Writes `parts` back to back into `file` (created or truncated) and fsyncs it once: a merged
 * file of a checkpoint, whose segments `_metadata` then lists with their offsets. Resolves to
 * the file's size. Rejects with a CheckpointWriteError naming the file if writing fails.
 */
export async function writeMergedFile(file: string, parts: readonly Uint8Array[]): Promise<number> {
  let bytes = 0;
  try {
    const handle = await open(file, 'w');
    try {
      // writev may write less than asked: go on from where it stopped.
      let pending = parts.filter((part) => part.length > 0);
      while (pending.length > 0) {
        const { bytesWritten } = await handle.writev(pending);
        bytes += bytesWritten;
        let skip = bytesWritten;
        const rest: Uint8Array[] = [];
        for (const part of pending) {
          if (skip >= part.length) {
            skip -= part.length;
            continue;
          }
          rest.push(skip > 0 ? part.subarray(skip) : part);
          skip = 0;
        }
        pending = rest;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new CheckpointWriteError(file, `could not write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return bytes;
}

/**
 * Reads segment `segment` of `file`, checks its size and checksum, and decompresses it. The
 * result owns its buffer exactly. Rejects with a {@link CheckpointCorruptError} naming the file,
 * the segment, its offset and what it holds, and whether the file is missing, cut short before
 * the segment's end (truncated) or the segment is corrupt.
 */
export async function readSnapshotSegment(file: string, segment: ExpectedSegment): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileError(file, error, segment);
  }
  const compressed = new Uint8Array(segment.bytes);
  try {
    let read = 0;
    while (read < segment.bytes) {
      const { bytesRead } = await handle.read(compressed, read, segment.bytes - read, segment.offset + read);
      if (bytesRead === 0) throw segmentCutOff(file, segment.offset + read, segment);
      read += bytesRead;
    }
  } catch (error) {
    throw fileError(file, error, segment);
  } finally {
    await handle.close();
  }
  const sha256 = sha256Hex(compressed);
  if (sha256 !== segment.sha256) throw segmentChecksumMismatch(file, segment, sha256);
  let raw: Uint8Array;
  try {
    raw = (await SnapshotCodec.load()).decompress(compressed);
  } catch (error) {
    throw new CheckpointCorruptError(file, 'corrupt', `${describeSegment(file, segment)} is corrupt: ${(error as Error).message}; restore from an earlier checkpoint`, {
      cause: error,
      where: { segment: segment.name, offset: segment.offset },
    });
  }
  if (segment.rawBytes !== undefined && raw.length !== segment.rawBytes) {
    throw new CheckpointCorruptError(
      file,
      'corrupt',
      `${describeSegment(file, segment)} is corrupt: it decompresses to ${raw.length} bytes, its _metadata records ${segment.rawBytes}; restore from an earlier checkpoint`,
      { where: { segment: segment.name, offset: segment.offset } },
    );
  }
  return raw;
}

/**
 * Checks a file that holds `segments` (tiling it, as `_metadata` records them): that it exists
 * with `bytes` bytes and, with `verify: 'checksum'`, that each segment it still holds whole has
 * its recorded SHA-256 (read once, in chunks of at most 1 MiB, yielding between them). A file of
 * another size gives one `truncated` problem naming the first segment it cuts off, if any. Returns every problem found,
 * each naming the file, and the segment and offset where it is about one; empty if it passes.
 */
export async function checkSegmentedFile(
  file: string,
  bytes: number,
  segments: readonly ExpectedSegment[],
  verify: SnapshotFileVerification,
): Promise<CheckpointCorruptError[]> {
  const ordered = [...segments].sort((a, b) => a.offset - b.offset);
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return [fileError(file, error, undefined, ordered)];
  }
  try {
    const { size } = await handle.stat();
    const problems: CheckpointCorruptError[] = size === bytes ? [] : [fileSizeMismatch(file, size, bytes, ordered)];
    if (verify === 'size') return problems;
    const chunk = new Uint8Array(Math.min(FILE_HASH_CHUNK_BYTES, Math.max(1, bytes)));
    // The segments that are there whole are still checked: a message can then say which are good.
    for (const segment of ordered) {
      if (segment.offset + segment.bytes > size) break;
      const hash = createHash('sha256');
      let read = 0;
      while (read < segment.bytes) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, segment.bytes - read), segment.offset + read);
        if (bytesRead === 0) return [...problems, segmentCutOff(file, segment.offset + read, segment)];
        hash.update(chunk.subarray(0, bytesRead));
        read += bytesRead;
      }
      const sha256 = hash.digest('hex');
      if (sha256 !== segment.sha256) problems.push(segmentChecksumMismatch(file, segment, sha256));
    }
    return problems;
  } catch (error) {
    return [fileError(file, error, undefined, ordered)];
  } finally {
    await handle.close();
  }
}

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

/** `segment X (state of 'map' subtask 2 of checkpoint 7) at offset N of <file>`. */
function describeSegment(file: string, segment: ExpectedSegment): string {
  return `segment ${segment.name}${segment.about === undefined ? '' : ` (${segment.about})`} at offset ${segment.offset} of checkpoint file ${file}`;
}

/** What a file holds, for a message about the whole file: its segments, by name and what they are. */
function holding(segments: readonly ExpectedSegment[] | undefined): string {
  if (segments === undefined || segments.length === 0) return '';
  const shown = segments.slice(0, 4).map((segment) => (segment.about === undefined ? segment.name : `${segment.name} (${segment.about})`));
  return ` (it holds ${segments.length === 1 ? 'segment' : `${segments.length} segments:`} ${shown.join(', ')}${segments.length > shown.length ? ', ...' : ''})`;
}

function segmentChecksumMismatch(file: string, segment: ExpectedSegment, actual: string): CheckpointCorruptError {
  return new CheckpointCorruptError(
    file,
    'corrupt',
    `${describeSegment(file, segment)} is corrupt: its SHA-256 is ${actual}, its _metadata records ${segment.sha256}; restore from an earlier checkpoint`,
    { where: { segment: segment.name, offset: segment.offset } },
  );
}

/** The file ends at `end`, inside `segment`. */
function segmentCutOff(file: string, end: number, segment: ExpectedSegment): CheckpointCorruptError {
  return new CheckpointCorruptError(
    file,
    'truncated',
    `checkpoint file ${file} is truncated: it ends at byte ${end}, inside ${describeSegment(file, segment)} of ${segment.bytes} bytes; restore from an earlier checkpoint`,
    { where: { segment: segment.name, offset: segment.offset } },
  );
}

/** A file whose size differs from the recorded one: names the first segment that does not fit in it. */
function fileSizeMismatch(file: string, actual: number, expected: number, segments: readonly ExpectedSegment[]): CheckpointCorruptError {
  const cut = segments.find((segment) => segment.offset + segment.bytes > actual);
  const base = `checkpoint file ${file} is truncated: it has ${actual} bytes, its _metadata records ${expected}`;
  if (cut === undefined) {
    return new CheckpointCorruptError(file, 'truncated', `${base}${holding(segments)}; restore from an earlier checkpoint`);
  }
  const what = `${cut.name}${cut.about === undefined ? '' : ` (${cut.about})`} at offset ${cut.offset}`;
  return new CheckpointCorruptError(file, 'truncated', `${base}: it is cut off from segment ${what} on; restore from an earlier checkpoint`, {
    where: { segment: cut.name, offset: cut.offset },
  });
}

/** A file system error while opening or reading a snapshot file, as a CheckpointCorruptError. */
function fileError(file: string, error: unknown, segment?: ExpectedSegment, segments?: readonly ExpectedSegment[]): CheckpointCorruptError {
  if (error instanceof CheckpointCorruptError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason: SnapshotFileProblem = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'corrupt';
  const what = segment === undefined ? holding(segments) : ` (reading ${describeSegment(file, segment)})`;
  const message =
    reason === 'missing'
      ? `checkpoint file ${file} is missing${what}; restore from an earlier checkpoint`
      : `checkpoint file ${file} cannot be read${what} (${(error as Error).message}); restore from an earlier checkpoint`;
  return new CheckpointCorruptError(file, reason, message, { cause: error, ...(segment === undefined ? {} : { where: { segment: segment.name, offset: segment.offset } }) });
}
