import type { CheckpointOptions, RestartStrategy } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import type { InjectedFault } from './deployment.js';

/** Something worth telling the user while a job runs. */
export type JobEvent =
  | { readonly type: 'restored'; readonly checkpointId: number; readonly path: string }
  | { readonly type: 'checkpoint-skipped'; readonly checkpointId: number; readonly message: string }
  /** A sink subtask set aside (or removed) output committed after the checkpoint being restored. */
  | { readonly type: 'rolled-back'; readonly operator: string; readonly subtask: number; readonly checkpointId: number; readonly items: readonly string[] }
  | { readonly type: 'checkpoint'; readonly statistics: CheckpointStatistics }
  | { readonly type: 'failed'; readonly attempt: number; readonly error: Error }
  | { readonly type: 'restarting'; readonly attempt: number; readonly delayMs: number };

/** Options of `pipeline.execute()`. */
export interface ExecuteOptions {
  /** Aborting it cancels the job: `execute()` rejects with a JobCancelledError. */
  readonly signal?: AbortSignal;
  /** Take checkpoints; without it the job takes none. */
  readonly checkpoints?: CheckpointOptions;
  /** Resume from the latest valid checkpoint in the checkpoint directory, or from a checkpoint or savepoint path. */
  readonly restore?: 'latest' | string;
  /**
   * How a failed job restarts (from its latest completed checkpoint). Default: with checkpoints,
   * fixed-delay, 3 attempts, 1 s apart (see DEFAULT_CHECKPOINTED_RESTART); without, no restart.
   */
  readonly restart?: RestartStrategy;
  /**
   * With `restore: 'latest'`: when checkpoints exist but every one is damaged, start from the
   * beginning instead of failing with a SLUICE_NO_RESTORABLE_CHECKPOINT error. Default false.
   */
  readonly startFresh?: boolean;
  /**
   * Restore even when the checkpoint holds state that no operator of the job takes (matched by
   * uid): that state is dropped. Default false: such a restore fails, naming the state.
   */
  readonly allowNonRestoredState?: boolean;
  /**
   * Buffer debloating target for this run, overriding the pipeline's `debloatTargetMs`:
   * milliseconds of each consumer's throughput to keep in flight per channel, or `'off'`.
   */
  readonly debloatTargetMs?: number | 'off';
  /** Failures to inject (testing failover). */
  readonly faults?: readonly InjectedFault[];
  /** Receives progress events (restores, skipped checkpoints, completed checkpoints, restarts). */
  readonly onEvent?: (event: JobEvent) => void;
}

/** What one operator did, summed over its subtasks. */
export interface OperatorStats {
  readonly name: string;
  readonly kind: string;
  readonly parallelism: number;
  /** Records taken from inputs (for sources: records emitted). */
  readonly recordsIn: number;
  /** Records emitted. */
  readonly recordsOut: number;
}

/** What a finished job did. */
export interface JobResult {
  readonly jobId: string;
  /** Wall time from the first deployment to the last subtask's end, in milliseconds. */
  readonly durationMs: number;
  /** Per operator, by name (the final attempt's counts). */
  readonly operators: Readonly<Record<string, OperatorStats>>;
  /** Each sink's per-subtask results (what its `finish()` returned), by sink name. */
  readonly sinks: Readonly<Record<string, readonly unknown[]>>;
  /** Every checkpoint that completed or failed, over all attempts. */
  readonly checkpoints: readonly CheckpointStatistics[];
  /** Restarts after failures. */
  readonly restarts: number;
  /** Records the final attempt processed from restored in-flight data (channel state). */
  readonly replayedRecords: number;
  /** When the job was stopped with a savepoint: where it is. */
  readonly savepoint?: string;
}

/** The records of a collect sink, from all its subtasks (in subtask order). */
export function collected<T = unknown>(result: JobResult, sinkName: string): T[] {
  const parts = result.sinks[sinkName];
  if (!parts) {
    throw new RangeError(`no sink named '${sinkName}' in this job; sinks: ${Object.keys(result.sinks).join(', ')}`);
  }
  return parts.flatMap((part) => (Array.isArray(part) ? (part as T[]) : []));
}
