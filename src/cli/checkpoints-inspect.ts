/**
 * `sluice checkpoints inspect <path>`: a checkpoint's or savepoint's metadata, per-subtask
 * statistics and files, with every file's size and SHA-256 verified.
 */
import path from 'node:path';
import { METADATA_FILE, METADATA_TEMP_FILE, parseCheckpointDirectoryName, parseSnapshotFileName } from '../storage/layout.js';
import { readCheckpointMetadata } from '../storage/metadata.js';
import type { CheckpointFile, CheckpointMetadata } from '../storage/metadata.js';
import { checkSnapshotFile } from '../storage/snapshot-file.js';
import { CheckpointMetadataError } from '../storage/storage-errors.js';
import type { SnapshotFileProblem } from '../storage/storage-errors.js';
import { summaryOfMetadata } from './checkpoint-summary.js';
import { readDirectory } from './read-directory.js';
import { formatBytes, formatDurationMs, formatTimestamp, renderTable } from './format.js';
import { UsageError } from './usage-error.js';

/** One listed file, checked. */
interface FileCheck extends CheckpointFile {
  readonly status: 'ok' | SnapshotFileProblem;
  /** What is wrong, when something is. */
  readonly problem?: string;
}

/**
 * Shows and verifies the checkpoint or savepoint at `target`; resolves to 0 if every file checks
 * out, 1 if its metadata or a file is damaged.
 */
export async function inspectCheckpoint(target: string, json: boolean): Promise<number> {
  const absolute = path.resolve(target);
  const dir = path.basename(absolute) === METADATA_FILE ? path.dirname(absolute) : absolute;
  const entries = await readDirectory(dir, `${target} does not exist: give a checkpoint or savepoint directory, or its ${METADATA_FILE}`);
  if (!entries.includes(METADATA_FILE)) {
    const holdsCheckpoints = entries.some((name) => parseCheckpointDirectoryName(name) !== undefined);
    const hint = holdsCheckpoints ? `; it holds checkpoint directories: see 'sluice checkpoints list ${target}'` : '';
    throw new UsageError('checkpoints', `${dir} has no ${METADATA_FILE}, so it is not a completed checkpoint or savepoint${hint}`);
  }
  let metadata: CheckpointMetadata;
  try {
    ({ metadata } = await readCheckpointMetadata(dir));
  } catch (error) {
    if (!(error instanceof CheckpointMetadataError)) throw error;
    if (json) {
      process.stdout.write(`${JSON.stringify({ dir, metadataFile: path.join(dir, METADATA_FILE), valid: false, error: error.message, field: error.field }, null, 2)}\n`);
    } else {
      process.stdout.write(`${dir}: its ${METADATA_FILE} is invalid, so it cannot be restored:\n  ${error.message}\n`);
    }
    return 1;
  }

  const files: FileCheck[] = [];
  for (const file of metadata.files) {
    const problem = await checkSnapshotFile(path.join(dir, file.name), { bytes: file.bytes, sha256: file.sha256 }, 'checksum');
    files.push(problem ? { ...file, status: problem.reason, problem: problem.message } : { ...file, status: 'ok' });
  }
  const listed = new Set(metadata.files.map((file) => file.name));
  const unlistedFiles = entries.filter((name) => name !== METADATA_FILE && name !== METADATA_TEMP_FILE && !listed.has(name)).sort();
  const damaged = files.filter((file) => file.status !== 'ok');
  const summary = summaryOfMetadata(metadata);

  if (json) {
    const report = { dir, metadataFile: path.join(dir, METADATA_FILE), valid: damaged.length === 0, summary, metadata, files, unlistedFiles };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return damaged.length === 0 ? 0 : 1;
  }

  const stats = metadata.stats as Readonly<Record<string, unknown>>;
  const processed = typeof stats['processedInFlightBytes'] === 'number' ? `, ${formatBytes(stats['processedInFlightBytes'])} processed` : '';
  const out: string[] = [
    `${metadata.kind} ${metadata.checkpointId} of job '${metadata.job}'`,
    `  directory   ${dir}`,
    `  mode        ${metadata.mode}`,
    `  triggered   ${formatTimestamp(metadata.triggerTimestamp)}`,
    `  completed   ${formatTimestamp(metadata.completedTimestamp)} (end-to-end ${formatDurationMs(summary.endToEndDurationMs)})`,
    `  size        ${formatBytes(summary.checkpointedBytes)} on disk, ${formatBytes(summary.rawBytes)} raw, in ${metadata.files.length} file${metadata.files.length === 1 ? '' : 's'}`,
    `  in-flight   ${formatBytes(summary.persistedInFlightBytes)} persisted${processed}`,
    `  subtasks    ${metadata.subtasks.length}`,
    '',
    'subtasks:',
  ];
  const bytesOf = (name: string | undefined) => (name === undefined ? '-' : formatBytes(metadata.files.find((file) => file.name === name)?.bytes ?? Number.NaN));
  const duration = (value: number | boolean | undefined) => (typeof value === 'number' ? formatDurationMs(value) : '-');
  out.push(
    renderTable(
      [
        { header: 'OPERATOR' },
        { header: 'SUBTASK', align: 'right' },
        { header: 'START DELAY', align: 'right' },
        { header: 'ALIGNMENT', align: 'right' },
        { header: 'SYNC', align: 'right' },
        { header: 'ASYNC', align: 'right' },
        { header: 'UNALIGNED' },
        { header: 'PERSISTED IN-FLIGHT', align: 'right' },
        { header: 'STATE', align: 'right' },
        { header: 'CHANNELS', align: 'right' },
      ],
      metadata.subtasks.map((subtask) => [
        subtask.operator,
        `${subtask.subtaskIndex}/${subtask.parallelism}`,
        duration(subtask.stats['startDelayMs']),
        duration(subtask.stats['alignmentDurationMs']),
        duration(subtask.stats['syncDurationMs']),
        duration(subtask.stats['asyncDurationMs']),
        subtask.stats['unaligned'] === undefined ? '-' : subtask.stats['unaligned'] ? 'yes' : 'no',
        typeof subtask.stats['persistedInFlightBytes'] === 'number' ? formatBytes(subtask.stats['persistedInFlightBytes']) : '-',
        subtask.finished ? 'finished' : bytesOf(subtask.state),
        bytesOf(subtask.channels),
      ]),
      '  ',
    ).trimEnd(),
    '',
    'files:',
    renderTable(
      [{ header: 'NAME' }, { header: 'CONTENT' }, { header: 'SIZE', align: 'right' }, { header: 'RAW', align: 'right' }, { header: 'SHA-256' }, { header: 'CHECK' }],
      files.map((file) => {
        const parsed = parseSnapshotFileName(file.name);
        const owner = parsed ? `${parsed.kind} of ${parsed.operator ?? '?'} ${parsed.subtaskIndex}` : '-';
        return [file.name, owner, formatBytes(file.bytes), formatBytes(file.rawBytes), file.sha256, file.status];
      }),
      '  ',
    ).trimEnd(),
  );
  if (unlistedFiles.length > 0) out.push(`  not in ${METADATA_FILE} (ignored by restore): ${unlistedFiles.join(', ')}`);
  out.push('');
  if (damaged.length === 0) {
    out.push(`verified: all ${files.length} file${files.length === 1 ? '' : 's'} have their recorded size and SHA-256`);
  } else {
    out.push(`DAMAGED: ${damaged.length} of ${files.length} files are missing, truncated or corrupt; this ${metadata.kind} cannot be restored:`);
    for (const file of damaged) out.push(`  ${file.name}: ${file.status}: ${file.problem}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return damaged.length === 0 ? 0 : 1;
}
