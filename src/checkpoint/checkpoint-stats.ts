import type { CheckpointMode } from './checkpoint-mode.js';

/** One subtask's part of a checkpoint, with Flink's names and meaning. */
export interface SubtaskCheckpointStatistics {
  readonly operator: string;
  readonly subtaskIndex: number;
  /** Trigger to the first barrier at this subtask. */
  readonly startDelayMs: number;
  /** First to last barrier (aligned), or first barrier to the snapshot. */
  readonly alignmentDurationMs: number;
  /** Synchronous phase on the subtask's thread. */
  readonly syncDurationMs: number;
  /** Asynchronous phase: compression, checksum, write, fsync on the I/O pool (for a snapshot in a merged file, that file's write and fsync, not the wait for its other snapshots). */
  readonly asyncDurationMs: number;
  readonly processedInFlightBytes: number;
  readonly persistedInFlightBytes: number;
  /** Bytes of this subtask's files on disk (compressed) and before compression. */
  readonly checkpointedBytes: number;
  readonly rawBytes: number;
  /** Whether it ended the checkpoint unaligned. */
  readonly unaligned: boolean;
  /**
   * Per input channel at the snapshot: bytes in flight (published, not yet consumed and
   * released) and the channel's in-flight limit (buffer debloating; the ring's capacity when off).
   */
  readonly inputChannels?: ReadonlyArray<{ readonly from: string; readonly subtask: number; readonly inFlightBytes: number; readonly limitBytes: number }>;
}

/** One checkpoint, with Flink's names and meaning. */
export interface CheckpointStatistics {
  readonly id: number;
  /** A periodic checkpoint, or a savepoint into a directory the user named. */
  readonly kind: 'checkpoint' | 'savepoint';
  readonly mode: CheckpointMode;
  readonly status: 'completed' | 'failed';
  /** Trigger time, ms since the epoch. */
  readonly triggerTimestamp: number;
  /** Trigger to completion (metadata committed), or to the failure. */
  readonly endToEndDurationMs: number;
  /** Subtasks that acknowledged it, counting those that had finished (they have nothing to snapshot). */
  readonly acknowledgedSubtasks: number;
  /** Of those, the subtasks that had finished before taking it. */
  readonly finishedSubtasks: number;
  readonly totalSubtasks: number;
  /** Bytes on disk (compressed) and before compression. */
  readonly checkpointedBytes: number;
  readonly rawBytes: number;
  readonly processedInFlightBytes: number;
  readonly persistedInFlightBytes: number;
  /** Why it failed. */
  readonly failureReason?: string;
  readonly subtasks: readonly SubtaskCheckpointStatistics[];
}
