import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedJobSettings } from '../plan/job-settings.js';
import { resolveJobSettings } from '../plan/job-settings.js';
import type { RestartStrategy } from '../checkpoint/checkpoint-config.js';
import { DEFAULT_CHECKPOINTED_RESTART, resolveCheckpointConfig, resolveRestartStrategy, restartDelayMs } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import { CheckpointFailuresExceededError } from '../checkpoint/coordinator.js';
import { needsRescale, rescaleRestore, restoreKey } from '../checkpoint/rescale.js';
import { assignStateByUid } from '../checkpoint/restore-by-uid.js';
import type { SavedSubtask } from '../checkpoint/restore-by-uid.js';
import { ConfigurationError, JobCancelledError, JobFailedError, SluiceError } from '../errors/sluice-error.js';
import type { CheckpointMetadata } from '../storage/index.js';
import { CheckpointStorage, IoPool, JobLock, NoRestorableCheckpointError, checkCheckpointStorage, readCheckpointMetadata, segmentsByName } from '../storage/index.js';
import type { LogicalNode } from '../plan/logical-graph.js';
import type { JobPlan } from '../plan/job-plan.js';
import { planJob } from '../plan/planner.js';
import type { SubtaskRestore } from './deployment.js';
import type { ExecuteOptions, JobEvent, JobResult } from './job-result.js';
import { JobControl } from './job-control.js';
import { JobAttempt } from './job-attempt.js';
import type { AttemptContext } from './job-attempt.js';

/** A checkpoint (or savepoint) to restore: its directory and metadata. */
interface RestorePoint {
  readonly dir: string;
  readonly metadata: CheckpointMetadata;
}

/**
 * Reads a restore point's files (on the I/O pool) into each subtask's restore: matched by
 * operator uid when every operator keeps its parallelism (the job may chain them differently),
 * redistributed by key group and re-routed when parallelism changed (the chaining must stay).
 */
async function readRestorePoint(point: RestorePoint, plan: JobPlan, io: IoPool, allowNonRestoredState: boolean): Promise<Map<string, SubtaskRestore>> {
  const segments = segmentsByName(point.metadata);
  const saved: SavedSubtask[] = [];
  await Promise.all(
    point.metadata.subtasks.map(async (subtask) => {
      const read = async (name: string | undefined) => {
        if (!name) return undefined;
        const segment = segments.get(name);
        if (!segment) throw new SluiceError('SLUICE_CHECKPOINT_CORRUPT', `${path.join(point.dir, '_metadata')} names ${name} but does not list it in segments`);
        return new Uint8Array(await io.readSnapshotSegment({ path: path.join(point.dir, segment.file), segment }));
      };
      const [state, channels] = await Promise.all([read(subtask.state), read(subtask.channels)]);
      saved.push({ entry: subtask, state, channels });
    }),
  );
  const where = `checkpoint ${point.metadata.checkpointId} in ${point.dir}`;
  if (needsRescale(point.metadata, plan)) {
    // A subtask that had finished left nothing to resume: no state, no position (a source's
    // rescalePosition counts it as exhausted), no in-flight data.
    const parts = new Map<string, SubtaskRestore>();
    for (const { entry, state, channels } of saved) {
      const part = entry.finished ? {} : { state, channels };
      parts.set(restoreKey(entry.operator, entry.subtaskIndex), { checkpointId: point.metadata.checkpointId, ...part });
    }
    return rescaleRestore(point.metadata, plan, parts, where);
  }
  // State is matched by operator uid, so a job that chains its operators differently restores it.
  return assignStateByUid(point.metadata.checkpointId, point.dir, saved, plan, allowNonRestoredState, restoreKey).restores;
}

/**
 * Runs a job: plans it, then runs attempts until one finishes. An attempt allocates the rings,
 * runs one long-lived piscina task per slot (subtask i of every vertex), and coordinates checkpoints. A failure stops
 * every subtask through its control ring (threads that do not stop in time are terminated);
 * under a restart strategy the job then restores from its latest completed checkpoint.
 */
export async function executeJob(
  options: ResolvedJobSettings,
  nodes: readonly LogicalNode[],
  execute: ExecuteOptions,
  control: JobControl = new JobControl(),
): Promise<JobResult> {
  const checkpoints = execute.checkpoints ? resolveCheckpointConfig(execute.checkpoints) : undefined;
  // A checkpointed job restarts by default, as in Flink; one without checkpoints would restart from scratch.
  const restart: RestartStrategy = resolveRestartStrategy(execute.restart ?? (checkpoints ? DEFAULT_CHECKPOINTED_RESTART : undefined));
  if (execute.restore !== undefined && typeof execute.restore !== 'string') {
    throw new ConfigurationError(`restore must be 'latest' or the path of a checkpoint or savepoint, got ${typeof execute.restore}`);
  }
  if (execute.restore === 'latest' && !checkpoints) {
    throw new ConfigurationError("restore: 'latest' needs checkpoints ({ checkpoints: { mode, dir } }) to know where to look");
  }
  const plan = await planJob(execute.debloatTargetMs === undefined ? options : resolveJobSettings({ ...options, debloatTargetMs: execute.debloatTargetMs }), nodes);
  const jobId = `${plan.jobName}-${randomUUID().slice(0, 8)}`;
  const onEvent = execute.onEvent ?? (() => {});
  const storage = checkpoints ? new CheckpointStorage({ checkpointDir: checkpoints.dir, job: plan.jobName }) : undefined;
  // Snapshot writes mostly wait on fsync: many at once keep one thread busy and the checkpoint short.
  const io = checkpoints || execute.restore ? new IoPool({ concurrentTasksPerThread: 16 }) : undefined;
  const history: CheckpointStatistics[] = [];
  const started = performance.now();
  let lock: JobLock | undefined;
  try {
    if (storage) {
      // Before anything runs: a directory that cannot hold checkpoints, or one another run uses, fails the job now.
      await checkCheckpointStorage(storage.jobDir);
      lock = await JobLock.acquire(storage.jobDir, plan.jobName);
    }
    let point: RestorePoint | undefined;
    if (execute.restore === 'latest') {
      point = await latestRestorePoint(storage!, io!, onEvent, execute.startFresh !== true);
    } else if (execute.restore !== undefined) {
      const location = await readCheckpointMetadata(execute.restore);
      point = { dir: location.dir, metadata: location.metadata };
    }
    // Ids continue after every checkpoint directory of the job, complete or not: a restore
    // that fell back past a corrupt checkpoint must not write into its directory.
    let nextCheckpointId = Math.max(point ? point.metadata.checkpointId + 1 : 1, ((await storage?.highestCheckpointId()) ?? 0) + 1);
    for (let attempt = 0; ; attempt++) {
      const restore = point ? await readRestorePoint(point, plan, io!, execute.allowNonRestoredState === true) : undefined;
      if (point) onEvent({ type: 'restored', checkpointId: point.metadata.checkpointId, path: point.dir });
      const context: AttemptContext = {
        plan,
        jobId,
        attempt,
        checkpoints,
        storage,
        io,
        restore,
        faults: execute.faults,
        signal: execute.signal,
        firstCheckpointId: nextCheckpointId,
        history,
        onEvent,
        control,
      };
      const outcome = await new JobAttempt(context).run();
      nextCheckpointId = Math.max(nextCheckpointId, ...history.map((stats) => stats.id + 1));
      if (outcome.kind === 'finished') {
        return { ...outcome.result, durationMs: performance.now() - started, checkpoints: history, restarts: attempt };
      }
      if (outcome.kind === 'stopped') {
        return { jobId, operators: {}, sinks: {}, replayedRecords: 0, durationMs: performance.now() - started, checkpoints: history, restarts: attempt, savepoint: outcome.savepoint };
      }
      if (outcome.kind === 'cancelled') throw new JobCancelledError(outcome.reason);
      onEvent({ type: 'failed', attempt, error: outcome.error });
      const delayMs = restartDelayMs(restart, attempt + 1);
      const restartable = outcome.error instanceof JobFailedError || outcome.error instanceof CheckpointFailuresExceededError;
      if (delayMs === undefined || !restartable) throw outcome.error;
      onEvent({ type: 'restarting', attempt: attempt + 1, delayMs });
      try {
        await sleep(delayMs, undefined, { signal: execute.signal });
      } catch {
        throw new JobCancelledError(execute.signal?.reason);
      }
      if (storage) point = (await latestRestorePoint(storage, io!, onEvent, false)) ?? point;
    }
  } finally {
    await io?.close();
    await lock?.release();
  }
}

/** The newest valid checkpoint, telling why newer ones were passed over. */
async function latestRestorePoint(
  storage: CheckpointStorage,
  io: IoPool,
  onEvent: (event: JobEvent) => void,
  refuseIfAllDamaged: boolean,
): Promise<RestorePoint | undefined> {
  const found = await storage.findRestorable({ verify: 'checksum', pool: io });
  for (const skipped of found.skipped) onEvent({ type: 'checkpoint-skipped', checkpointId: skipped.checkpointId, message: skipped.message });
  if (!found.metadata && found.skipped.length > 0 && refuseIfAllDamaged) throw new NoRestorableCheckpointError(storage.jobDir, found.skipped);
  return found.metadata ? { dir: found.dir, metadata: found.metadata } : undefined;
}


