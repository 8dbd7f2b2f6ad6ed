/**
 * Where checkpoint files live:
 *
 * ```
 * <checkpoint-dir>/<job>/chk-<n>/merged-0.seg          small snapshots, back to back (one fsync)
 *                               /<uid>-<subtask>.state.zst  a large state snapshot, in a file of its own
 *                               /_metadata
 *                    /_lock       held by the run using the directory (see job-lock.ts)
 * ```
 *
 * Every snapshot is a *segment* named `<uid>-<subtask>.<state|channels>.zst`; `_metadata` says
 * which file holds it and where. A segment in a file of its own gives the file its name (as every
 * snapshot file was named before merged files).
 * `<uid>` is the uid of the chain's head operator (see plan/operator-uid.ts), already file-name safe.
 *
 * Job and operator names may hold characters that are unsafe in a file name (spaces, `->`, `/`,
 * `:`): {@link encodeNameSegment} percent-encodes every UTF-8 byte outside `[A-Za-z0-9._-]`,
 * reversibly, so `Map -> Filter` becomes `Map%20-%3E%20Filter`. A name whose encoding would be
 * too long for a file name is shortened and given a hash suffix (see {@link MAX_ENCODED_NAME_LENGTH}).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** The file that makes a checkpoint exist; written last, atomically. */
export const METADATA_FILE = '_metadata';
/** The temporary file `_metadata` is written to before it is renamed into place. */
export const METADATA_TEMP_FILE = '_metadata.tmp';
/** Prefix of a checkpoint's directory name: `chk-<n>`. */
export const CHECKPOINT_DIR_PREFIX = 'chk-';

/** What a snapshot file holds: operator state, or in-flight channel data of an unaligned checkpoint. */
export type SnapshotFileKind = 'state' | 'channels';

/** Prefix of a merged file's name: `merged-<k>.seg`. */
export const MERGED_FILE_PREFIX = 'merged-';
const MERGED_FILE = /^merged-(0|[1-9][0-9]{0,5})\.seg$/;

/** The name of merged file `index` of a checkpoint: `merged-<index>.seg`. */
export function mergedFileName(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError(`a merged file index must be a non-negative integer, got ${index}`);
  return `${MERGED_FILE_PREFIX}${index}.seg`;
}

/** Whether `name` is a name {@link mergedFileName} makes. */
export function isMergedFileName(name: string): boolean {
  return MERGED_FILE.test(name);
}

/**
 * Longest encoded job or operator name used as is. File names are limited to 255 bytes on common
 * file systems; this leaves room for `-<subtask>.channels.zst`. Longer encodings keep their first
 * {@link MAX_ENCODED_NAME_LENGTH} - 17 characters, then `~` and 16 hex digits of the name's SHA-256.
 */
export const MAX_ENCODED_NAME_LENGTH = 200;

const SAFE_BYTE = /^[A-Za-z0-9._-]$/;
const CHECKPOINT_DIR = /^chk-(0|[1-9][0-9]{0,15})$/;
const SNAPSHOT_FILE = /^(.+)-(0|[1-9][0-9]{0,9})\.(state|channels)\.zst$/;

/**
 * Encodes a job or operator name into a string safe as (part of) a file name on every platform:
 * bytes of its UTF-8 encoding outside `[A-Za-z0-9._-]` become `%XX` (uppercase hex). `.` and `..`
 * are encoded too, so the result never names a directory. Reversible with {@link decodeNameSegment},
 * except for names longer than {@link MAX_ENCODED_NAME_LENGTH} once encoded, which are shortened.
 */
export function encodeNameSegment(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`a job or operator name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (!name.isWellFormed()) throw new TypeError(`a job or operator name must be well-formed Unicode (no lone surrogates), got ${JSON.stringify(name)}`);
  if (name === '.' || name === '..') return name.replaceAll('.', '%2E');
  let encoded = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += SAFE_BYTE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length <= MAX_ENCODED_NAME_LENGTH) return encoded;
  // Cut before a partial `%XX` so that the prefix stays readable.
  let prefix = encoded.slice(0, MAX_ENCODED_NAME_LENGTH - 17);
  const percent = prefix.lastIndexOf('%');
  if (percent > prefix.length - 3) prefix = prefix.slice(0, percent);
  return `${prefix}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

/**
 * The name {@link encodeNameSegment} encoded, or undefined if `segment` is not such an encoding
 * (or is a shortened one, which cannot be reversed).
 */
export function decodeNameSegment(segment: string): string | undefined {
  if (segment.length === 0 || !/^(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+$/.test(segment)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === '%') {
      bytes.push(Number.parseInt(segment.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(segment.charCodeAt(i));
    }
  }
  const decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    const name = decoded.decode(new Uint8Array(bytes));
    return encodeNameSegment(name) === segment ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The directory of a job's checkpoints: `<checkpointDir>/<encoded job name>`. */
export function jobDirectory(checkpointDir: string, job: string): string {
  return path.join(checkpointDir, encodeNameSegment(job));
}

/** The directory name of checkpoint `checkpointId`: `chk-<n>`. */
export function checkpointDirectoryName(checkpointId: number): string {
  assertCheckpointId(checkpointId);
  return `${CHECKPOINT_DIR_PREFIX}${checkpointId}`;
}

/** The checkpoint id a directory name `chk-<n>` stands for, or undefined for any other name. */
export function parseCheckpointDirectoryName(name: string): number | undefined {
  const match = CHECKPOINT_DIR.exec(name);
  if (match === null) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** A snapshot file's name: `<encoded operator uid>-<subtask>.<kind>.zst` (the chain head's uid). */
export function snapshotFileName(operator: string, subtaskIndex: number, kind: SnapshotFileKind): string {
  if (!Number.isSafeInteger(subtaskIndex) || subtaskIndex < 0) throw new TypeError(`subtaskIndex must be a non-negative integer, got ${subtaskIndex}`);
  if (kind !== 'state' && kind !== 'channels') throw new TypeError(`kind must be 'state' or 'channels', got ${JSON.stringify(kind)}`);
  return `${encodeNameSegment(operator)}-${subtaskIndex}.${kind}.zst`;
}

/** What a snapshot file name says. `operator` is undefined when the name was shortened. */
export interface ParsedSnapshotFileName {
  readonly operator: string | undefined;
  readonly subtaskIndex: number;
  readonly kind: SnapshotFileKind;
}

/** Parses a name {@link snapshotFileName} made, or returns undefined for any other name. */
export function parseSnapshotFileName(name: string): ParsedSnapshotFileName | undefined {
  const match = SNAPSHOT_FILE.exec(name);
  if (match === null) return undefined;
  return { operator: decodeNameSegment(match[1]!), subtaskIndex: Number(match[2]), kind: match[3] as SnapshotFileKind };
}

/** Whether `name` can be a file listed in `_metadata`: a plain file name in the checkpoint directory, not `_metadata` itself. */
export function isSnapshotFileNameSafe(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    name !== '.' &&
    name !== '..' &&
    name !== METADATA_FILE &&
    name !== METADATA_TEMP_FILE &&
    !/[/\\\0]/.test(name)
  );
}

function assertCheckpointId(checkpointId: number): void {
  if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
    throw new TypeError(`a checkpoint id must be a non-negative integer, got ${checkpointId}`);
  }
}
