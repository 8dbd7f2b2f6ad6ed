/**
 * `sluice checkpoints list <dir>`: the completed checkpoints of every job under a checkpoint
 * root (or of one job's directory), and the `chk-<n>` directories that are not.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointStorage } from '../storage/checkpoint-storage.js';
import type { CompletedCheckpoint } from '../storage/checkpoint-storage.js';
import { METADATA_FILE, checkpointDirectoryName, decodeNameSegment, parseCheckpointDirectoryName } from '../storage/layout.js';
import { readCheckpointMetadata } from '../storage/metadata.js';
import type { CheckpointMetadata } from '../storage/metadata.js';
import { CheckpointMetadataError } from '../storage/storage-errors.js';
import { summaryOfMetadata } from './checkpoint-summary.js';
import type { CheckpointSummary } from './checkpoint-summary.js';
import { readDirectory } from './read-directory.js';
import { formatBytes, formatDurationMs, formatTimestamp, renderTable } from './format.js';
import { UsageError } from './usage-error.js';

/** A `chk-<n>` directory that is not a completed checkpoint of its job, and why. */
interface OtherDirectory {
  readonly checkpointId: number;
  readonly dir: string;
  readonly state: 'incomplete' | 'invalid' | 'savepoint';
  readonly reason: string;
}

/** What `list` found for one job. */
interface JobListing {
  readonly job: string;
  readonly dir: string;
  readonly checkpoints: readonly CompletedCheckpoint[];
  readonly other: readonly OtherDirectory[];
}

/** Lists the checkpoints under `target` as a table, or as JSON; resolves to the exit code. */
export async function listCheckpoints(target: string, json: boolean): Promise<number> {
  const root = path.resolve(target);
  const entries = await readDirectory(root, `${target} does not exist: give the --checkpoint-dir of a run, or one job's directory in it`);
  if (entries.includes(METADATA_FILE)) {
    throw new UsageError('checkpoints', `${root} is a checkpoint or savepoint, not a directory of checkpoints: use 'sluice checkpoints inspect ${target}'`);
  }
  let jobDirs: string[];
  if (entries.some((name) => parseCheckpointDirectoryName(name) !== undefined)) {
    jobDirs = [root];
  } else {
    jobDirs = [];
    for (const name of entries.sort()) {
      const dir = path.join(root, name);
      const inside = await readdir(dir).catch(() => [] as string[]);
      if (inside.some((entry) => parseCheckpointDirectoryName(entry) !== undefined)) jobDirs.push(dir);
    }
  }
  const jobs: JobListing[] = [];
  for (const dir of jobDirs) jobs.push(await listJob(dir));

  if (json) {
    const jsonJobs = jobs.map((job) => ({
      job: job.job,
      dir: job.dir,
      checkpoints: job.checkpoints.map(({ dir, metadata }) => ({ ...summaryOfMetadata(metadata), dir, subtasks: metadata.subtasks.length, files: metadata.files.length, segments: metadata.segments.length })),
      other: job.other,
    }));
    process.stdout.write(`${JSON.stringify({ dir: root, jobs: jsonJobs }, null, 2)}\n`);
    return 0;
  }
  if (jobs.length === 0) {
    process.stdout.write(`no checkpoints under ${root} (a job's checkpoints are in <dir>/<job>/chk-<n>/)\n`);
    return 0;
  }
  for (const job of jobs) {
    const count = job.checkpoints.length;
    process.stdout.write(`job '${job.job}' (${job.dir}): ${count} completed checkpoint${count === 1 ? '' : 's'}\n`);
    if (count > 0) process.stdout.write(checkpointTable(job.checkpoints.map(({ metadata }) => summaryOfMetadata(metadata))));
    for (const other of job.other) process.stdout.write(`  not listed: ${checkpointDirectoryName(other.checkpointId)}: ${other.reason}\n`);
  }
  return 0;
}

/** The completed checkpoints of the job in `jobDir`, and its other `chk-<n>` directories. */
async function listJob(jobDir: string): Promise<JobListing> {
  const ids = (await readdir(jobDir))
    .map(parseCheckpointDirectoryName)
    .filter((checkpointId): checkpointId is number => checkpointId !== undefined)
    .sort((a, b) => a - b);
  const read = new Map<number, CheckpointMetadata | CheckpointMetadataError>();
  for (const checkpointId of ids) {
    const dir = path.join(jobDir, checkpointDirectoryName(checkpointId));
    read.set(checkpointId, await readCheckpointMetadata(dir).then(({ metadata }) => metadata, (error: unknown) => {
      if (error instanceof CheckpointMetadataError) return error;
      throw error;
    }));
  }
  // The directory's name is the encoded job name, unless it was too long and shortened: then the metadata names it.
  const fromMetadata = [...read.values()].find((entry): entry is CheckpointMetadata => !(entry instanceof Error))?.job;
  const job = decodeNameSegment(path.basename(jobDir)) ?? fromMetadata ?? path.basename(jobDir);
  const storage = new CheckpointStorage({ checkpointDir: path.dirname(jobDir), job });
  const checkpoints = storage.jobDir === jobDir ? await storage.list() : [];
  const completed = new Set(checkpoints.map((checkpoint) => checkpoint.checkpointId));
  const other: OtherDirectory[] = [];
  for (const [checkpointId, entry] of read) {
    if (completed.has(checkpointId)) continue;
    const dir = path.join(jobDir, checkpointDirectoryName(checkpointId));
    if (entry instanceof CheckpointMetadataError) {
      const missing = (entry.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      other.push(missing
        ? { checkpointId, dir, state: 'incomplete', reason: `no ${METADATA_FILE}: in progress, aborted, or the job crashed while writing it` }
        : { checkpointId, dir, state: 'invalid', reason: entry.message });
    } else if (entry.kind === 'savepoint') {
      other.push({ checkpointId, dir, state: 'savepoint', reason: `a savepoint; see 'sluice checkpoints inspect ${dir}'` });
    } else {
      other.push({ checkpointId, dir, state: 'invalid', reason: `its ${METADATA_FILE} is checkpoint ${entry.checkpointId} of job '${entry.job}'` });
    }
  }
  return { job, dir: jobDir, checkpoints, other };
}

function checkpointTable(summaries: readonly CheckpointSummary[]): string {
  return renderTable(
    [
      { header: 'ID', align: 'right' },
      { header: 'KIND' },
      { header: 'MODE' },
      { header: 'COMPLETED' },
      { header: 'DURATION', align: 'right' },
      { header: 'SIZE (DISK / RAW)', align: 'right' },
      { header: 'IN-FLIGHT', align: 'right' },
      { header: 'SUBTASKS', align: 'right' },
    ],
    summaries.map((summary) => [
      String(summary.id),
      summary.kind,
      summary.mode,
      formatTimestamp(summary.completedTimestamp ?? Number.NaN),
      formatDurationMs(summary.endToEndDurationMs),
      `${formatBytes(summary.checkpointedBytes)} / ${formatBytes(summary.rawBytes)}`,
      formatBytes(summary.persistedInFlightBytes),
      String(summary.totalSubtasks),
    ]),
    '  ',
  );
}
