/**
 * A checkpoint's `_metadata`: which files make up the checkpoint, which snapshot segments each
 * holds (with sizes and checksums), which subtask each belongs to, and statistics. JSON, as it
 * is small and read by people too. It is written last, atomically ({@link commitCheckpointMetadata}):
 * a checkpoint exists only once its `_metadata` exists, and a reader validates every field
 * ({@link parseCheckpointMetadata}).
 *
 * Version 2 (written now) separates files from segments: a snapshot (a subtask's state, or its
 * in-flight data) is a *segment*, a byte range of a file, with its own size and SHA-256; small
 * snapshots of a checkpoint share one merged file (one fsync), a large one has a file to itself.
 * Version 1 (one file per snapshot) is still read: each file is read as one segment that spans it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSha256Hex } from './checksum.js';
import { CHECKPOINT_MODES } from '../checkpoint/checkpoint-mode.js';
import type { CheckpointMode } from '../checkpoint/checkpoint-mode.js';
import { writeFileAtomically } from './durable-file.js';
import { METADATA_FILE, METADATA_TEMP_FILE, isSnapshotFileNameSafe } from './layout.js';
import { CheckpointMetadataError, CheckpointWriteError } from './storage-errors.js';

/** The `format` field of every `_metadata`. */
export const CHECKPOINT_FORMAT = 'sluice-checkpoint';
/** The metadata version this code writes: files and the segments they hold. */
export const CHECKPOINT_METADATA_VERSION = 2;
/** Metadata versions this code reads: 1 (one file per snapshot, read as one segment per file) and 2. */
export const READABLE_METADATA_VERSIONS: readonly number[] = [1, 2];

// The engine's one list of modes; re-exported for readers of `_metadata`.
export { CHECKPOINT_MODES } from '../checkpoint/checkpoint-mode.js';
export type { CheckpointMode } from '../checkpoint/checkpoint-mode.js';
/** A periodic checkpoint in the job's directory (subject to retention), or a user-named savepoint (never deleted). */
export type CheckpointKind = 'checkpoint' | 'savepoint';

/** A file of a checkpoint, as `_metadata` records it: its segments tile it exactly. */
export interface CheckpointFile {
  /** File name inside the checkpoint's directory. */
  readonly name: string;
  /** Bytes of the file on disk. */
  readonly bytes: number;
}

/** A snapshot of a checkpoint: a byte range of one of its files, as `_metadata` records it. */
export interface CheckpointSegment {
  /** The segment's name, unique in the checkpoint: `<operator uid>-<subtask>.<state|channels>.zst`. */
  readonly name: string;
  /** The file that holds it, listed in `files`. */
  readonly file: string;
  /** Where it starts in that file. */
  readonly offset: number;
  /** Its bytes on disk (compressed). */
  readonly bytes: number;
  /** Bytes of the snapshot before compression. */
  readonly rawBytes: number;
  /** SHA-256 of its bytes on disk, 64 lowercase hex digits. */
  readonly sha256: string;
}

/**
 * The `files` and `segments` entries of a snapshot in a file of its own (as `writeSnapshotFile`
 * writes one): a file named `name` holding one segment of the same name that spans it.
 */
export function ownFileEntries(name: string, info: { readonly bytes: number; readonly rawBytes: number; readonly sha256: string }): { file: CheckpointFile; segment: CheckpointSegment } {
  return { file: { name, bytes: info.bytes }, segment: { name, file: name, offset: 0, bytes: info.bytes, rawBytes: info.rawBytes, sha256: info.sha256 } };
}

/** What one subtask contributed to a checkpoint. */
export interface SubtaskSnapshot {
  /** The operator's name, as in the plan. */
  readonly operator: string;
  /** Index of the subtask, from 0. */
  readonly subtaskIndex: number;
  /** Parallelism of the operator when the checkpoint was taken. */
  readonly parallelism: number;
  /** Name of its state segment, listed in `segments`; absent if it has no state. */
  readonly state?: string;
  /** Name of its channel-state segment (in-flight data), listed in `segments`; absent if none. */
  readonly channels?: string;
  /**
   * The subtask had finished (emitted everything, ended its outputs) before the checkpoint: it has
   * no segments here, and a restore does not run it again. Absent when it was running.
   */
  readonly finished?: boolean;
  /** The uids of the chain's operators, head first (state is restored by uid); absent in older checkpoints. */
  readonly uids?: readonly string[];
  /** Per-subtask statistics: sync and async duration, alignment duration, unaligned or not, ... */
  readonly stats: Readonly<Record<string, number | boolean>>;
}

/**
 * The content of `_metadata`. `Stats` types the checkpoint-level statistics (any JSON object);
 * the parser returns them as `Record<string, unknown>`.
 */
export interface CheckpointMetadata<Stats extends object = Readonly<Record<string, unknown>>> {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** 2 when written by this sluice; 1 for a checkpoint of an older one (read with one segment per file). */
  readonly version: 1 | typeof CHECKPOINT_METADATA_VERSION;
  /** The job's name. */
  readonly job: string;
  /** The checkpoint's id; a savepoint carries the id of the checkpoint it was taken as. */
  readonly checkpointId: number;
  readonly kind: CheckpointKind;
  readonly mode: CheckpointMode;
  /** When the checkpoint was triggered, ms since the epoch. */
  readonly triggerTimestamp: number;
  /** When every subtask had acknowledged, ms since the epoch. */
  readonly completedTimestamp: number;
  /** Every file of the checkpoint. */
  readonly files: readonly CheckpointFile[];
  /** Every snapshot of the checkpoint, and where it is. */
  readonly segments: readonly CheckpointSegment[];
  /** Every subtask of the job at the time of the checkpoint. */
  readonly subtasks: readonly SubtaskSnapshot[];
  /** Checkpoint-level statistics (sizes, durations, persisted in-flight bytes, ...): any JSON object. */
  readonly stats: Stats;
}

/** The fields of a {@link CheckpointMetadata} its writer chooses; `format` and `version` are fixed. */
export type CheckpointMetadataFields<Stats extends object = Readonly<Record<string, unknown>>> = Omit<
  CheckpointMetadata<Stats>,
  'format' | 'version'
>;

/** A complete {@link CheckpointMetadata} from its fields, validated (throws a CheckpointMetadataError naming the field). */
export function checkpointMetadata<Stats extends object>(fields: CheckpointMetadataFields<Stats>): CheckpointMetadata<Stats> {
  const metadata: CheckpointMetadata<Stats> = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_METADATA_VERSION, ...fields };
  validateCheckpointMetadata(metadata, '(new metadata)');
  return metadata;
}

/** `_metadata`'s text for `metadata`: indented JSON with a final newline. */
export function serializeCheckpointMetadata(metadata: CheckpointMetadata<object>): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

/**
 * Parses the text of a `_metadata` file. `file` names it in errors. Throws a
 * {@link CheckpointMetadataError} naming the file and the first missing or invalid field.
 */
export function parseCheckpointMetadata(text: string, file: string): CheckpointMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointMetadataError(file, '', `${file} is not valid JSON (${(error as Error).message}): the checkpoint cannot be used`, { cause: error });
  }
  const upgraded = fromVersion1(value);
  validateCheckpointMetadata(upgraded, file);
  return upgraded;
}

/**
 * A version 1 `_metadata` (one file per snapshot, each with its raw size and SHA-256) in the
 * shape of version 2: each file holds one segment of the same name that spans it. Anything else
 * is returned as it is, for the validator to judge.
 */
function fromVersion1(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const metadata = value as Record<string, unknown>;
  if (metadata['version'] !== 1 || !Array.isArray(metadata['files']) || metadata['segments'] !== undefined) return value;
  const entries = metadata['files'] as unknown[];
  if (!entries.every((entry) => typeof entry === 'object' && entry !== null)) return value;
  const files = entries as Array<Record<string, unknown>>;
  return {
    ...metadata,
    files: files.map((entry) => ({ name: entry['name'], bytes: entry['bytes'] })),
    segments: files.map((entry) => ({ name: entry['name'], file: entry['name'], offset: 0, bytes: entry['bytes'], rawBytes: entry['rawBytes'], sha256: entry['sha256'] })),
  };
}

/**
 * Checks that `value` is a valid {@link CheckpointMetadata}: every field present with the right
 * type and range, file and segment names safe and unique, each file tiled exactly by its segments
 * (in offset order, no gap, no overlap), every state and channels segment of a subtask listed in
 * `segments`, (operator, subtask) pairs unique. Throws a {@link CheckpointMetadataError} naming
 * `file` and the first bad field.
 */
export function validateCheckpointMetadata(value: unknown, file: string): asserts value is CheckpointMetadata {
  const fail = (field: string, expected: string, actual: unknown): never => {
    throw new CheckpointMetadataError(
      file,
      field,
      `${file}: field '${field}' must be ${expected}, got ${preview(actual)}; the checkpoint cannot be used (restore from another one)`,
    );
  };
  const record = (field: string, actual: unknown): Record<string, unknown> =>
    typeof actual === 'object' && actual !== null && !Array.isArray(actual) ? (actual as Record<string, unknown>) : fail(field, 'an object', actual);
  const string = (field: string, actual: unknown): string => (typeof actual === 'string' && actual.length > 0 ? actual : fail(field, 'a non-empty string', actual));
  const count = (field: string, actual: unknown): number =>
    typeof actual === 'number' && Number.isSafeInteger(actual) && actual >= 0 ? actual : fail(field, 'a non-negative integer', actual);
  const timestamp = (field: string, actual: unknown): number =>
    typeof actual === 'number' && Number.isFinite(actual) && actual >= 0 ? actual : fail(field, 'a timestamp in ms since the epoch', actual);
  const array = (field: string, actual: unknown): unknown[] => (Array.isArray(actual) ? actual : fail(field, 'an array', actual));

  const metadata = record('', value);
  if (metadata['format'] !== CHECKPOINT_FORMAT) fail('format', `'${CHECKPOINT_FORMAT}'`, metadata['format']);
  if (!READABLE_METADATA_VERSIONS.includes(metadata['version'] as number)) {
    fail('version', `${READABLE_METADATA_VERSIONS.join(' or ')} (this sluice reads versions ${READABLE_METADATA_VERSIONS.join(' and ')}; a newer sluice wrote it)`, metadata['version']);
  }
  string('job', metadata['job']);
  count('checkpointId', metadata['checkpointId']);
  if (metadata['kind'] !== 'checkpoint' && metadata['kind'] !== 'savepoint') fail('kind', "'checkpoint' or 'savepoint'", metadata['kind']);
  if (!(CHECKPOINT_MODES as readonly unknown[]).includes(metadata['mode'])) fail('mode', `one of ${CHECKPOINT_MODES.map((mode) => `'${mode}'`).join(', ')}`, metadata['mode']);
  timestamp('triggerTimestamp', metadata['triggerTimestamp']);
  timestamp('completedTimestamp', metadata['completedTimestamp']);

  const fileBytes = new Map<string, number>();
  array('files', metadata['files']).forEach((entry, i) => {
    const field = `files[${i}]`;
    const fileEntry = record(field, entry);
    const name = string(`${field}.name`, fileEntry['name']);
    if (!isSnapshotFileNameSafe(name)) fail(`${field}.name`, 'a plain file name in the checkpoint directory', name);
    if (fileBytes.has(name)) fail(`${field}.name`, 'unique among files', name);
    fileBytes.set(name, count(`${field}.bytes`, fileEntry['bytes']));
  });

  const names = new Set<string>();
  // Per file, its segments' [offset, end) ranges: they must tile the file exactly.
  const ranges = new Map<string, Array<{ offset: number; end: number; field: string }>>();
  array('segments', metadata['segments']).forEach((entry, i) => {
    const field = `segments[${i}]`;
    const segment = record(field, entry);
    const name = string(`${field}.name`, segment['name']);
    if (!isSnapshotFileNameSafe(name)) fail(`${field}.name`, 'a plain file name', name);
    if (names.has(name)) fail(`${field}.name`, 'unique among segments', name);
    names.add(name);
    const inFile = string(`${field}.file`, segment['file']);
    if (!fileBytes.has(inFile)) fail(`${field}.file`, 'the name of a file listed in files', inFile);
    const offset = count(`${field}.offset`, segment['offset']);
    const bytes = count(`${field}.bytes`, segment['bytes']);
    count(`${field}.rawBytes`, segment['rawBytes']);
    if (!isSha256Hex(segment['sha256'])) fail(`${field}.sha256`, 'a SHA-256 digest (64 lowercase hex digits)', segment['sha256']);
    let list = ranges.get(inFile);
    if (!list) ranges.set(inFile, (list = []));
    list.push({ offset, end: offset + bytes, field });
  });
  for (const [name, bytes] of fileBytes) {
    const field = `files[${[...fileBytes.keys()].indexOf(name)}]`;
    const list = (ranges.get(name) ?? []).sort((a, b) => a.offset - b.offset);
    if (list.length === 0) fail(field, `a file that holds at least one segment (no segment names ${name})`, name);
    let end = 0;
    for (const range of list) {
      if (range.offset !== end) fail(`${range.field}.offset`, `${end}, where the previous segment of ${name} ends (segments tile their file)`, range.offset);
      end = range.end;
    }
    if (end !== bytes) fail(`${field}.bytes`, `${end}, where the last segment of ${name} ends`, bytes);
  }

  const subtasks = new Set<string>();
  array('subtasks', metadata['subtasks']).forEach((entry, i) => {
    const field = `subtasks[${i}]`;
    const subtask = record(field, entry);
    const operator = string(`${field}.operator`, subtask['operator']);
    const subtaskIndex = count(`${field}.subtaskIndex`, subtask['subtaskIndex']);
    const parallelism = count(`${field}.parallelism`, subtask['parallelism']);
    if (parallelism < 1) fail(`${field}.parallelism`, 'a positive integer', parallelism);
    if (subtaskIndex >= parallelism) fail(`${field}.subtaskIndex`, `less than parallelism ${parallelism}`, subtaskIndex);
    const key = JSON.stringify([operator, subtaskIndex]);
    if (subtasks.has(key)) fail(`${field}`, `the only entry of operator '${operator}' subtask ${subtaskIndex}`, entry);
    subtasks.add(key);
    if (subtask['finished'] !== undefined && typeof subtask['finished'] !== 'boolean') fail(`${field}.finished`, 'a boolean', subtask['finished']);
    if (subtask['uids'] !== undefined) array(`${field}.uids`, subtask['uids']).forEach((uid, j) => string(`${field}.uids[${j}]`, uid));
    for (const kind of ['state', 'channels'] as const) {
      if (subtask[kind] === undefined) continue;
      const name = string(`${field}.${kind}`, subtask[kind]);
      if (!names.has(name)) fail(`${field}.${kind}`, 'the name of a segment listed in segments', name);
    }
    for (const [stat, statValue] of Object.entries(record(`${field}.stats`, subtask['stats']))) {
      const ok = typeof statValue === 'boolean' || (typeof statValue === 'number' && Number.isFinite(statValue));
      if (!ok) fail(`${field}.stats.${stat}`, 'a finite number or a boolean', statValue);
    }
  });
  record('stats', metadata['stats']);
}

/**
 * Commits a checkpoint: validates `metadata`, checks that every file it lists is in `dir` with
 * the recorded size (else throws a CheckpointWriteError naming the file), writes it to
 * `<dir>/_metadata.tmp`, fsyncs it, renames it to `<dir>/_metadata` and fsyncs `dir`. Every file
 * the metadata lists must already be written and fsynced; the directory fsync also makes their
 * directory entries durable. A crash at any point leaves either no `_metadata` (no checkpoint)
 * or a complete one.
 */
export async function commitCheckpointMetadata(dir: string, metadata: CheckpointMetadata<object>): Promise<void> {
  validateCheckpointMetadata(metadata, path.join(dir, METADATA_FILE));
  // A commit must never make a checkpoint of files that are not there: catch a writer's mistake now, not at restore.
  for (const file of metadata.files) {
    const filePath = path.join(dir, file.name);
    let size: number;
    try {
      size = (await stat(filePath)).size;
    } catch (error) {
      throw new CheckpointWriteError(filePath, `cannot commit ${dir}: ${file.name} is listed in its metadata but cannot be found (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (size !== file.bytes) {
      throw new CheckpointWriteError(filePath, `cannot commit ${dir}: ${file.name} has ${size} bytes, its metadata says ${file.bytes}`);
    }
  }
  await writeFileAtomically(path.join(dir, METADATA_FILE), path.join(dir, METADATA_TEMP_FILE), serializeCheckpointMetadata(metadata));
}

/** A segment of a checkpoint, where it is, and what it holds (for messages). */
export interface LocatedSegment extends CheckpointSegment {
  /** What it holds: `state of 'map' subtask 2 of checkpoint 7` (`savepoint 7` for a savepoint). */
  readonly about: string;
}

/**
 * Every file of a checkpoint with the segments it holds, in offset order, each with what it holds
 * for messages: which subtask of which operator, in which checkpoint.
 */
export function segmentsByFile(metadata: CheckpointMetadata): Array<{ readonly file: CheckpointFile; readonly segments: LocatedSegment[] }> {
  const located = locateSegments(metadata);
  return metadata.files.map((file) => ({
    file,
    segments: located.filter((segment) => segment.file === file.name).sort((a, b) => a.offset - b.offset),
  }));
}

/** Every segment of a checkpoint, by name, with what it holds (see {@link segmentsByFile}). */
export function segmentsByName(metadata: CheckpointMetadata): Map<string, LocatedSegment> {
  return new Map(locateSegments(metadata).map((segment) => [segment.name, segment]));
}

function locateSegments(metadata: CheckpointMetadata): LocatedSegment[] {
  const owners = new Map<string, string>();
  for (const subtask of metadata.subtasks) {
    const who = `'${subtask.operator}' subtask ${subtask.subtaskIndex}`;
    if (subtask.state !== undefined) owners.set(subtask.state, `state of ${who}`);
    if (subtask.channels !== undefined) owners.set(subtask.channels, `in-flight data of ${who}`);
  }
  const of = `${metadata.kind} ${metadata.checkpointId}`;
  return metadata.segments.map((segment) => ({ ...segment, about: `${owners.get(segment.name) ?? 'a segment no subtask names'} of ${of}` }));
}

/** A checkpoint's or savepoint's metadata and the directory its files are in. */
export interface CheckpointLocation {
  readonly metadata: CheckpointMetadata;
  /** Absolute path of the directory holding `_metadata` and the files it lists. */
  readonly dir: string;
}

/**
 * Reads the metadata of a checkpoint or savepoint, given its directory or its `_metadata` file
 * (as `--restore <path>` does). Throws a {@link CheckpointMetadataError} if there is no
 * `_metadata` there or it is invalid. Does not check the files it lists.
 */
export async function readCheckpointMetadata(location: string): Promise<CheckpointLocation> {
  const absolute = path.resolve(location);
  let file = absolute;
  try {
    if ((await stat(absolute)).isDirectory()) file = path.join(absolute, METADATA_FILE);
  } catch (error) {
    throw new CheckpointMetadataError(absolute, '', `${absolute} does not exist: give a checkpoint or savepoint directory, or its ${METADATA_FILE} file`, { cause: error });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing
      ? `${file} does not exist: ${path.dirname(file)} is not a completed checkpoint or savepoint`
      : `could not read ${file}: ${(error as Error).message}`;
    throw new CheckpointMetadataError(file, '', message, { cause: error });
  }
  return { metadata: parseCheckpointMetadata(text, file), dir: path.dirname(file) };
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
