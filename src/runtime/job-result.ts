/** Options of `pipeline.execute()`. */
export interface ExecuteOptions {
  /** Aborting it cancels the job: `execute()` rejects with a JobCancelledError. */
  readonly signal?: AbortSignal;
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
  /** Wall time from deployment to the last subtask's end, in milliseconds. */
  readonly durationMs: number;
  /** Per operator, by name. */
  readonly operators: Readonly<Record<string, OperatorStats>>;
  /** Each sink's per-subtask results (what its `finish()` returned), by sink name. */
  readonly sinks: Readonly<Record<string, readonly unknown[]>>;
}

/** The records of a collect sink, from all its subtasks (in subtask order). */
export function collected<T = unknown>(result: JobResult, sinkName: string): T[] {
  const parts = result.sinks[sinkName];
  if (!parts) {
    throw new RangeError(`no sink named '${sinkName}' in this job; sinks: ${Object.keys(result.sinks).join(', ')}`);
  }
  return parts.flatMap((part) => (Array.isArray(part) ? (part as T[]) : []));
}
