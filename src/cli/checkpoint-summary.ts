/**
 * One checkpoint's headline figures, from the statistics a running job reports or from a
 * `_metadata` on disk, so `sluice run`'s progress and `sluice checkpoints list` say the same.
 */
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import type { CheckpointMetadata } from '../storage/metadata.js';
import { formatBytes, formatDurationMs } from './format.js';

/** A checkpoint's headline figures, with Flink's names. */
export interface CheckpointSummary {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly mode: string;
  readonly status: 'completed' | 'failed';
  /** Trigger time, ms since the epoch. */
  readonly triggerTimestamp: number;
  /** Completion time, ms since the epoch (completed checkpoints read from disk). */
  readonly completedTimestamp?: number;
  readonly endToEndDurationMs: number;
  /** Bytes on disk (compressed) and before compression. */
  readonly checkpointedBytes: number;
  readonly rawBytes: number;
  readonly persistedInFlightBytes: number;
  /** Subtasks that acknowledged it, counting those that had finished before it. */
  readonly acknowledgedSubtasks: number;
  readonly finishedSubtasks: number;
  readonly totalSubtasks: number;
  readonly failureReason?: string;
}

/** The summary of statistics a running job reported. */
export function summaryOfStatistics(statistics: CheckpointStatistics, kind: CheckpointSummary['kind'] = 'checkpoint'): CheckpointSummary {
  return {
    id: statistics.id,
    kind,
    mode: statistics.mode,
    status: statistics.status,
    triggerTimestamp: statistics.triggerTimestamp,
    endToEndDurationMs: statistics.endToEndDurationMs,
    checkpointedBytes: statistics.checkpointedBytes,
    rawBytes: statistics.rawBytes,
    persistedInFlightBytes: statistics.persistedInFlightBytes,
    acknowledgedSubtasks: statistics.acknowledgedSubtasks,
    finishedSubtasks: statistics.finishedSubtasks,
    totalSubtasks: statistics.totalSubtasks,
    failureReason: statistics.failureReason,
  };
}

/**
 * The summary of a completed checkpoint's `_metadata`. Sizes come from its file list; the
 * duration and the in-flight bytes from its statistics, where they were recorded (`stats` is any
 * JSON object to the format), else from the timestamps and the subtasks' statistics.
 */
export function summaryOfMetadata(metadata: CheckpointMetadata): CheckpointSummary {
  const stats = metadata.stats as Readonly<Record<string, unknown>>;
  const recorded = (name: string): number | undefined => (typeof stats[name] === 'number' ? (stats[name] as number) : undefined);
  const subtaskSum = (name: string) => metadata.subtasks.reduce((sum, subtask) => sum + (typeof subtask.stats[name] === 'number' ? (subtask.stats[name] as number) : 0), 0);
  return {
    id: metadata.checkpointId,
    kind: metadata.kind,
    mode: metadata.mode,
    status: 'completed',
    triggerTimestamp: metadata.triggerTimestamp,
    completedTimestamp: metadata.completedTimestamp,
    endToEndDurationMs: recorded('endToEndDurationMs') ?? metadata.completedTimestamp - metadata.triggerTimestamp,
    checkpointedBytes: metadata.files.reduce((sum, file) => sum + file.bytes, 0),
    rawBytes: metadata.segments.reduce((sum, segment) => sum + segment.rawBytes, 0),
    persistedInFlightBytes: recorded('persistedInFlightBytes') ?? subtaskSum('persistedInFlightBytes'),
    acknowledgedSubtasks: metadata.subtasks.length,
    finishedSubtasks: metadata.subtasks.filter((subtask) => subtask.finished === true).length,
    totalSubtasks: metadata.subtasks.length,
  };
}

/**
 * A progress line: `checkpoint 3 completed in 35 ms: 12.3 KiB on disk (40.1 KiB raw), 0 B
 * in-flight persisted, 3/3 subtasks` (`3/3 subtasks (1 finished before it)` once subtasks finish), or `checkpoint 4 failed after 612 ms: <reason>`.
 */
export function describeCheckpoint(summary: CheckpointSummary): string {
  const what = `${summary.kind} ${summary.id}`;
  if (summary.status === 'failed') {
    return `${what} failed after ${formatDurationMs(summary.endToEndDurationMs)}: ${summary.failureReason ?? 'no reason recorded'}`;
  }
  return (
    `${what} completed in ${formatDurationMs(summary.endToEndDurationMs)}: ` +
    `${formatBytes(summary.checkpointedBytes)} on disk (${formatBytes(summary.rawBytes)} raw), ` +
    `${formatBytes(summary.persistedInFlightBytes)} in-flight persisted, ${summary.acknowledgedSubtasks}/${summary.totalSubtasks} subtasks` +
    (summary.finishedSubtasks > 0 ? ` (${summary.finishedSubtasks} finished before it)` : '')
  );
}
