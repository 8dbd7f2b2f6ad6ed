/**
 * `sluice checkpoints inspect <path>`: a checkpoint's or savepoint's metadata, per-subtask
 * statistics, files and the segments they hold, with every file's size and every segment's
 * SHA-256 verified.
 */
import path from 'node:path';
import { METADATA_FILE, METADATA_TEMP_FILE, parseCheckpointDirectoryName } from '../storage/layout.js';
import { readCheckpointMetadata, segmentsByFile } from '../storage/metadata.js';
import type { CheckpointFile, CheckpointMetadata, CheckpointSegment } from '../storage/metadata.js';
import { checkSegmentedFile } from '../storage/snapshot-file.js';
import { CheckpointMetadataError } from '../storage/storage-errors.js';
import type { SnapshotFileProblem } from '../storage/storage-errors.js';
import { summaryOfMetadata } from './checkpoint-summary.js';
import { readDirectory } from './read-directory.js';
import { formatBytes, formatDurationMs, formatTimestamp, renderTable } from './format.js';
import { UsageError } from './usage-error.js';

/** One listed file, checked. */
interface FileCheck extends CheckpointFile {
  /** How many segments it holds. */
  readonly segments: number;
  readonly status: 'ok' | SnapshotFileProblem;
  /** What is wrong, when something is. */
  readonly problem?: string;
}

/** One listed segment, checked. */
interface SegmentCheck extends CheckpointSegment {
  /** What it holds: `state of 'map' subtask 2`. */
  readonly content: string;
  readonly status: 'ok' | SnapshotFileProblem;
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
  const segments: SegmentCheck[] = [];
  for (const { file, segments: held } of segmentsByFile(metadata)) {
    const problems = await checkSegmentedFile(path.join(dir, file.name), file.bytes, held, 'checksum');
    // A problem about a segment is that segment's; one about the file (missing, cut short) is every segment it cuts off.
    const fileProblem = problems.find((problem) => problem.reason !== 'corrupt' || problem.segment === undefined);
    files.push(fileProblem ? { ...file, segments: held.length, status: fileProblem.reason, problem: fileProblem.message } : { ...file, segments: held.length, status: 'ok' });
    for (const { about, ...segment } of held) {
      const own = problems.find((problem) => problem.reason === 'corrupt' && problem.segment === segment.name);
      const lost =
        fileProblem !== undefined && (fileProblem.reason === 'missing' || (fileProblem.offset !== undefined && segment.offset >= fileProblem.offset)) ? fileProblem : undefined;
      const problem = own ?? lost;
      const content = about.slice(0, about.lastIndexOf(` of ${metadata.kind} `));
      segments.push(problem ? { ...segment, content, status: problem.reason, problem: problem.message } : { ...segment, content, status: 'ok' });
    }
  }
  const listed = new Set(metadata.files.map((file) => file.name));
  const unlistedFiles = entries.filter((name) => name !== METADATA_FILE && name !== METADATA_TEMP_FILE && !listed.has(name)).sort();
  const damagedFiles = files.filter((file) => file.status !== 'ok');
  const damagedSegments = segments.filter((segment) => segment.status !== 'ok');
  const valid = damagedFiles.length === 0 && damagedSegments.length === 0;
  const summary = summaryOfMetadata(metadata);

  if (json) {
    const report = { dir, metadataFile: path.join(dir, METADATA_FILE), valid, summary, metadata, files, segments, unlistedFiles };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return valid ? 0 : 1;
  }

  const stats = metadata.stats as Readonly<Record<string, unknown>>;
  const processed = typeof stats['processedInFlightBytes'] === 'number' ? `, ${formatBytes(stats['processedInFlightBytes'])} processed` : '';
  const out: string[] = [
    `${metadata.kind} ${metadata.checkpointId} of job '${metadata.job}'`,
    `  directory   ${dir}`,
    `  mode        ${metadata.mode}`,
    `  triggered   ${formatTimestamp(metadata.triggerTimestamp)}`,
    `  completed   ${formatTimestamp(metadata.completedTimestamp)} (end-to-end ${formatDurationMs(summary.endToEndDurationMs)})`,
    `  format      version ${metadata.version}${metadata.version === 1 ? ' (one file per snapshot)' : ''}`,
    `  size        ${formatBytes(summary.checkpointedBytes)} on disk, ${formatBytes(summary.rawBytes)} raw, in ${plural(metadata.segments.length, 'segment')} in ${plural(metadata.files.length, 'file')}`,
    `  in-flight   ${formatBytes(summary.persistedInFlightBytes)} persisted${processed}`,
    `  subtasks    ${metadata.subtasks.length}`,
    '',
    'subtasks:',
  ];
  const bytesOf = (name: string | undefined) => (name === undefined ? '-' : formatBytes(metadata.segments.find((segment) => segment.name === name)?.bytes ?? Number.NaN));
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
      [{ header: 'NAME' }, { header: 'SIZE', align: 'right' }, { header: 'SEGMENTS', align: 'right' }, { header: 'CHECK' }],
      files.map((file) => [file.name, formatBytes(file.bytes), String(file.segments), file.status]),
      '  ',
    ).trimEnd(),
    '',
    'segments:',
    renderTable(
      [
        { header: 'NAME' },
        { header: 'CONTENT' },
        { header: 'FILE' },
        { header: 'OFFSET', align: 'right' },
        { header: 'SIZE', align: 'right' },
        { header: 'RAW', align: 'right' },
        { header: 'SHA-256' },
        { header: 'CHECK' },
      ],
      segments.map((segment) => [
        segment.name,
        segment.content,
        segment.file,
        String(segment.offset),
        formatBytes(segment.bytes),
        formatBytes(segment.rawBytes),
        segment.sha256,
        segment.status,
      ]),
      '  ',
    ).trimEnd(),
  );
  if (unlistedFiles.length > 0) out.push(`  not in ${METADATA_FILE} (ignored by restore): ${unlistedFiles.join(', ')}`);
  out.push('');
  const counted = `${plural(files.length, 'file')} and ${plural(segments.length, 'segment')}`;
  if (valid) {
    out.push(`verified: all ${counted} have their recorded size and SHA-256`);
  } else {
    out.push(
      `DAMAGED: ${damagedFiles.length} of ${plural(files.length, 'file')} and ${damagedSegments.length} of ${plural(segments.length, 'segment')} are missing, truncated or corrupt; this ${metadata.kind} cannot be restored:`,
    );
    for (const file of damagedFiles) out.push(`  ${file.name}: ${file.status}: ${file.problem}`);
    for (const segment of damagedSegments) {
      if (segment.status === 'corrupt') out.push(`  ${segment.name} (${segment.content}, in ${segment.file} at offset ${segment.offset}): corrupt: ${segment.problem}`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return valid ? 0 : 1;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
