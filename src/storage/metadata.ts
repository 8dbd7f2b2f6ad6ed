/**
 * A checkpoint's `_metadata`: which files make up the checkpoint (with sizes and checksums), which
 * subtask each belongs to, and statistics. JSON, as it is small and read by people too. It is
 * written last, atomically ({@link commitCheckpointMetadata}): a checkpoint exists only once its
 * `_metadata` exists, and a reader validates every field ({@link parseCheckpointMetadata}).
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
/** The metadata version this code writes and reads. */
export const CHECKPOINT_METADATA_VERSION = 1;

// The engine's one list of modes; re-exported for readers of `_metadata`.
export { CHECKPOINT_MODES } from '../checkpoint/checkpoint-mode.js';
export type { CheckpointMode } from '../checkpoint/checkpoint-mode.js';
/** A periodic checkpoint in the job's directory (subject to retention), or a user-named savepoint (never deleted). */
export type CheckpointKind = 'checkpoint' | 'savepoint';

/** A file of a checkpoint, as `_metadata` records it. */
export interface CheckpointFile {
  /** File name inside the checkpoint's directory. */
  readonly name: string;
  /** Bytes of the file on disk (compressed). */
  readonly bytes: number;
  /** Bytes of the snapshot before compression. */
  readonly rawBytes: number;
  /** SHA-256 of the file's bytes on disk, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** What one subtask contributed to a checkpoint. */
export interface SubtaskSnapshot {
  /** The operator's name, as in the plan. */
  readonly operator: string;
  /** Index of the subtask, from 0. */
  readonly subtaskIndex: number;
  /** Parallelism of the operator when the checkpoint was taken. */
  readonly parallelism: number;
  /** Name of its state file, listed in `files`; absent if it has no state. */
  readonly state?: string;
  /** Name of its channel-state file (in-flight data), listed in `files`; absent if none. */
  readonly channels?: string;
  /**
   * The subtask had finished (emitted everything, ended its outputs) before the checkpoint: it has
   * no files here, and a restore does not run it again. Absent when it was running.
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
  readonly version: typeof CHECKPOINT_METADATA_VERSION;
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
  validateCheckpointMetadata(value, file);
  return value;
}

/**
 * Checks that `value` is a valid {@link CheckpointMetadata}: every field present with the right
 * type and range, file names safe and unique, every state and channels file of a subtask listed
 * in `files`, (operator, subtask) pairs unique. Throws a {@link CheckpointMetadataError} naming
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
  if (metadata['version'] !== CHECKPOINT_METADATA_VERSION) fail('version', `${CHECKPOINT_METADATA_VERSION} (this sluice reads version ${CHECKPOINT_METADATA_VERSION})`, metadata['version']);
  string('job', metadata['job']);
  count('checkpointId', metadata['checkpointId']);
  if (metadata['kind'] !== 'checkpoint' && metadata['kind'] !== 'savepoint') fail('kind', "'checkpoint' or 'savepoint'", metadata['kind']);
  if (!(CHECKPOINT_MODES as readonly unknown[]).includes(metadata['mode'])) fail('mode', `one of ${CHECKPOINT_MODES.map((mode) => `'${mode}'`).join(', ')}`, metadata['mode']);
  timestamp('triggerTimestamp', metadata['triggerTimestamp']);
  timestamp('completedTimestamp', metadata['completedTimestamp']);

  const names = new Set<string>();
  array('files', metadata['files']).forEach((entry, i) => {
    const field = `files[${i}]`;
    const fileEntry = record(field, entry);
    const name = string(`${field}.name`, fileEntry['name']);
    if (!isSnapshotFileNameSafe(name)) fail(`${field}.name`, 'a plain file name in the checkpoint directory', name);
    if (names.has(name)) fail(`${field}.name`, 'unique among files', name);
    names.add(name);
    count(`${field}.bytes`, fileEntry['bytes']);
    count(`${field}.rawBytes`, fileEntry['rawBytes']);
    if (!isSha256Hex(fileEntry['sha256'])) fail(`${field}.sha256`, 'a SHA-256 digest (64 lowercase hex digits)', fileEntry['sha256']);
  });

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
      if (!names.has(name)) fail(`${field}.${kind}`, 'the name of a file listed in files', name);
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
