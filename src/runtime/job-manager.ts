import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageChannel } from 'node:worker_threads';
import { Packr } from 'msgpackr';
import { Doorbell, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import type { ResolvedJobSettings } from '../plan/job-settings.js';
import { resolveJobSettings } from '../plan/job-settings.js';
import type { CheckpointConfig, RestartStrategy } from '../checkpoint/checkpoint-config.js';
import { DEFAULT_CHECKPOINTED_RESTART, resolveCheckpointConfig, resolveRestartStrategy, restartDelayMs } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import { CheckpointCoordinator, CheckpointFailuresExceededError } from '../checkpoint/coordinator.js';
import { needsRescale, rescaleRestore, restoreKey } from '../checkpoint/rescale.js';
import { assignStateByUid } from '../checkpoint/restore-by-uid.js';
import type { SavedSubtask } from '../checkpoint/restore-by-uid.js';
import { ConfigurationError, JobCancelledError, JobFailedError, SluiceError } from '../errors/sluice-error.js';
import type { CheckpointMetadata } from '../storage/index.js';
import { CheckpointStorage, IoPool, JobLock, NoRestorableCheckpointError, checkCheckpointStorage, readCheckpointMetadata } from '../storage/index.js';
import type { LogicalNode } from '../plan/logical-graph.js';
import { edgeChannels } from '../plan/job-plan.js';
import type { JobPlan } from '../plan/job-plan.js';
import { planJob } from '../plan/planner.js';
import type {
  ChannelEndpoint,
  ControlMessage,
  InjectedFault,
  SlotDeployment,
  SubtaskDeployment,
  SubtaskMessage,
  SubtaskOutcome,
  SubtaskRestore,
} from './deployment.js';
import { deserializeError } from './deployment.js';
import type { ExecuteOptions, JobEvent, JobResult, OperatorStats } from './job-result.js';
import { JobControl } from './job-control.js';
import { DEFAULT_DEBLOAT } from './buffer-debloater.js';
import { SlotThreads } from './slot-threads.js';
import { userFrame } from './user-frame.js';

/** Bytes of a subtask's control ring: room for hundreds of control messages. */
const CONTROL_RING_BYTES = 64 * 1024;
/** How long cancelled subtasks get to stop before their threads are terminated. */
const CANCEL_GRACE_MS = 5000;


/** A deployed subtask, as the job manager tracks it. */
interface RunningSubtask {
  readonly deployment: SubtaskDeployment;
  readonly vertex: number;
  readonly control: RingWriter;
  settled: boolean;
  /** Settles with the subtask's outcome: its `ended` message or its slot's result, whichever comes first. */
  readonly ended: Deferred<SubtaskOutcome>;
}

/** A promise with its resolve and reject. */
interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (reason: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // Settled outcomes are awaited later, or not at all once the attempt stopped.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** What ended an attempt early. */
type Stop = { readonly kind: 'failed'; readonly error: JobFailedError } | { readonly kind: 'cancelled'; readonly reason: unknown };

/** A deployment before its per-attempt parts (port, restore, faults) are added. */
type BaseDeployment = Omit<SubtaskDeployment, 'port' | 'restore' | 'faults' | 'checkpointing' | 'attempt'>;

/** Allocates every ring and doorbell of a plan and builds each subtask's deployment. */
export function deployPlan(plan: JobPlan, jobId: string): Array<{ deployment: BaseDeployment; vertex: number }> {
  // Slot sharing: subtask i of every vertex runs on thread i, so the doorbell is the thread's.
  const slotDoorbells = Array.from({ length: slotCount(plan) }, () => Doorbell.allocate());
  const doorbells = plan.vertices.map((vertex) => slotDoorbells.slice(0, vertex.parallelism));
  const inputs = plan.vertices.map((vertex) => Array.from({ length: vertex.parallelism }, () => new Map<number, ChannelEndpoint[]>()));
  const outputs = plan.vertices.map((vertex) => Array.from({ length: vertex.parallelism }, () => new Map<number, ChannelEndpoint[]>()));
  for (const edge of plan.edges) {
    const producers = plan.vertices[edge.from]!.parallelism;
    const consumers = plan.vertices[edge.to]!.parallelism;
    for (const [producer, consumer] of edgeChannels(edge, producers, consumers)) {
      const ring = allocateRing({ capacity: plan.channelBytes });
      const outs = outputs[edge.from]![producer]!;
      const ins = inputs[edge.to]![consumer]!;
      if (!outs.has(edge.id)) outs.set(edge.id, []);
      if (!ins.has(edge.id)) ins.set(edge.id, []);
      outs.get(edge.id)!.push({ ring, peerDoorbell: doorbells[edge.to]![consumer]!, peerSubtask: consumer });
      ins.get(edge.id)!.push({ ring, peerDoorbell: doorbells[edge.from]![producer]!, peerSubtask: producer });
    }
  }
  const deployments: Array<{ deployment: BaseDeployment; vertex: number }> = [];
  for (const vertex of plan.vertices) {
    for (let index = 0; index < vertex.parallelism; index++) {
      deployments.push({
        vertex: vertex.id,
        deployment: {
          jobId,
          vertexName: vertex.name,
          subtaskIndex: index,
          parallelism: vertex.parallelism,
          maxParallelism: plan.maxParallelism,
          operators: vertex.operators,
          inputs: vertex.inputs.map((edgeId) => ({
            edgeId,
            shape: plan.edges[edgeId]!.shape,
            from: plan.vertices[plan.edges[edgeId]!.from]!.name,
            channels: inputs[vertex.id]![index]!.get(edgeId) ?? [],
          })),
          outputs: vertex.outputs.map((edgeId) => ({
            edgeId,
            shape: plan.edges[edgeId]!.shape,
            partitioning: plan.edges[edgeId]!.partitioning,
            channels: outputs[vertex.id]![index]!.get(edgeId) ?? [],
          })),
          doorbell: doorbells[vertex.id]![index]!,
          control: allocateRing({ capacity: CONTROL_RING_BYTES }),
          ...(plan.debloatTargetMs === 'off' ? {} : { debloat: { ...DEFAULT_DEBLOAT, targetMs: plan.debloatTargetMs } }),
        },
      });
    }
  }
  return deployments;
}

/** Threads a plan runs on: one slot per subtask index, as many as the widest vertex has subtasks. */
export function slotCount(plan: JobPlan): number {
  return Math.max(...plan.vertices.map((vertex) => vertex.parallelism));
}

/** A checkpoint (or savepoint) to restore: its directory and metadata. */
interface RestorePoint {
  readonly dir: string;
  readonly metadata: CheckpointMetadata;
}

/** What one attempt ended with. */
type AttemptOutcome =
  | { readonly kind: 'finished'; readonly result: Omit<JobResult, 'checkpoints' | 'restarts' | 'durationMs'> }
  | { readonly kind: 'stopped'; readonly savepoint: string }
  | { readonly kind: 'failed'; readonly error: Error }
  | { readonly kind: 'cancelled'; readonly reason: unknown };

/** Everything an attempt needs besides the plan. */
interface AttemptContext {
  readonly plan: JobPlan;
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpoints: CheckpointConfig | undefined;
  readonly storage: CheckpointStorage | undefined;
  readonly io: IoPool | undefined;
  readonly restore: Map<string, SubtaskRestore> | undefined;
  readonly faults: readonly InjectedFault[] | undefined;
  readonly signal: AbortSignal | undefined;
  readonly firstCheckpointId: number;
  readonly history: CheckpointStatistics[];
  readonly onEvent: (event: JobEvent) => void;
  readonly control: JobControl;
}

/**
 * Reads a restore point's files (on the I/O pool) into each subtask's restore: matched by
 * operator uid when every operator keeps its parallelism (the job may chain them differently),
 * redistributed by key group and re-routed when parallelism changed (the chaining must stay).
 */
async function readRestorePoint(point: RestorePoint, plan: JobPlan, io: IoPool, allowNonRestoredState: boolean): Promise<Map<string, SubtaskRestore>> {
  const files = new Map(point.metadata.files.map((file) => [file.name, file]));
  const saved: SavedSubtask[] = [];
  await Promise.all(
    point.metadata.subtasks.map(async (subtask) => {
      const read = async (name: string | undefined) => {
        if (!name) return undefined;
        const expected = files.get(name);
        if (!expected) throw new SluiceError('SLUICE_CHECKPOINT_CORRUPT', `${path.join(point.dir, '_metadata')} names ${name} but does not list it in files`);
        return new Uint8Array(await io.readSnapshotFile({ path: path.join(point.dir, name), expected }));
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
      const outcome = await runAttempt(context);
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

/** Whether an attempt failed only because a peer subtask stopped: its consumer cancelled the channel it wrote to. */
function isConsequentialFailure(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'failed' && (outcome.error.cause as { code?: unknown } | undefined)?.code === 'SLUICE_RING_CANCELLED';
}

/** Runs one attempt of a job to its end, failure or cancel. */
async function runAttempt(context: AttemptContext): Promise<AttemptOutcome> {
  const { plan, jobId, checkpoints } = context;
  const deployed = deployPlan(plan, jobId);
  const packr = new Packr();
  const ports = deployed.map(() => new MessageChannel());
  const running: RunningSubtask[] = deployed.map(({ deployment, vertex }, index) => ({
    deployment: {
      ...deployment,
      port: ports[index]!.port2,
      attempt: context.attempt,
      checkpointing: checkpoints ? { mode: checkpoints.mode, alignmentTimeoutMs: checkpoints.alignmentTimeoutMs } : undefined,
      restore: context.restore?.get(restoreKey(deployment.vertexName, deployment.subtaskIndex)),
      faults: context.faults,
    },
    vertex,
    control: new RingWriter(deployment.control, { consumerDoorbell: deployment.doorbell }),
    settled: false,
    ended: deferred<SubtaskOutcome>(),
  }));
  const slots = Array.from({ length: slotCount(plan) }, (_, index) => running.filter(({ deployment }) => deployment.subtaskIndex === index));
  const threads = SlotThreads.acquire(slots.length);
  const pool = threads.pool;

  let stop: AttemptOutcome | undefined;
  /** Sends a message to every running subtask; false when one's control ring was full. */
  const send = (message: ControlMessage): boolean => {
    const bytes = packr.pack(message);
    let delivered = true;
    for (const subtask of running) {
      if (subtask.settled) continue;
      // Full only when a subtask has not looked at its control ring for hundreds of messages
      // (stuck in user code): the caller decides (a checkpoint aborts; a cancel falls back to
      // terminating threads after the grace period).
      if (subtask.control.tryWrite(bytes)) subtask.control.publish();
      else delivered = false;
    }
    return delivered;
  };
  let graceTimer: NodeJS.Timeout | undefined;
  const stopAll = (reason: AttemptOutcome) => {
    if (stop) {
      // A producer whose consumer failed fails in turn (the consumer cancelled its channel), and
      // its outcome can arrive first: the consumer's failure, the cause, takes its place.
      if (isConsequentialFailure(stop) && reason.kind === 'failed' && !isConsequentialFailure(reason)) stop = reason;
      return;
    }
    stop = reason;
    send({ type: 'cancel' });
    graceTimer = setTimeout(() => threads.destroy(), CANCEL_GRACE_MS);
    graceTimer.unref();
  };
  // A worker can fail after its task settled: a timer or a promise its user code left behind
  // throws once its subtask has ended. piscina then emits 'error' on the pool, and an 'error'
  // event without a listener would be thrown here, in the host's main thread. piscina does not
  // say which worker it was; it is one of the subtasks that had ended.
  const onPoolError = (cause: unknown) => {
    if (stop) return;
    const ended = running.filter((subtask) => subtask.settled).map(({ deployment }) => deployment);
    const first = ended[0] ?? running[0]!.deployment;
    stopAll({
      kind: 'failed',
      error: new JobFailedError(
        { operator: first.vertexName, subtask: first.subtaskIndex, parallelism: first.parallelism },
        `a worker thread died after its subtask had ended (one of ${ended.map((d) => `'${d.vertexName}' subtask ${d.subtaskIndex}/${d.parallelism}`).join(', ')}): ` +
          (cause instanceof Error ? cause.message : String(cause)),
        { cause, code: 'SLUICE_WORKER_DIED' },
      ),
    });
  };
  pool.on('error', onPoolError);
  const onAbort = () => stopAll({ kind: 'cancelled', reason: context.signal?.reason });
  if (context.signal?.aborted) onAbort();
  context.signal?.addEventListener('abort', onAbort, { once: true });

  const coordinator =
    checkpoints && context.storage && context.io
      ? new CheckpointCoordinator(
          checkpoints,
          context.storage,
          context.io,
          running.map(({ deployment }) => ({
            operator: deployment.vertexName,
            uids: deployment.operators.map((operator) => operator.uid),
            subtaskIndex: deployment.subtaskIndex,
            parallelism: deployment.parallelism,
            isSource: deployment.operators[0]!.kind === 'source',
          })),
          {
            broadcast: (message) => stop !== undefined || send(message),
            fail: (error) => stopAll({ kind: 'failed', error }),
            recorded: (statistics) => {
              context.history.push(statistics);
              context.onEvent({ type: 'checkpoint', statistics });
            },
          },
          plan.jobName,
          context.firstCheckpointId,
        )
      : undefined;
  // Checkpoints are triggered once every subtask runs (as in Flink): a subtask still starting
  // would not take its control messages, and checkpoints would time out one after another.
  let runningSubtasks = 0;
  ports.forEach((channel, index) => {
    channel.port1.on('message', (message: SubtaskMessage) => {
      if (message.type === 'ended') running[index]!.ended.resolve(message.outcome);
      else if (message.type !== 'running') coordinator?.onMessage(index, message);
      else {
        const { rolledBack } = message;
        if (rolledBack) {
          context.onEvent({ type: 'rolled-back', operator: rolledBack.operator, subtask: running[index]!.deployment.subtaskIndex, checkpointId: rolledBack.checkpointId, items: rolledBack.items });
        }
        if (++runningSubtasks === running.length && !stop) coordinator?.start();
      }
    });
    channel.port1.unref();
  });
  context.control.attach(
    coordinator && {
      savepoint: (dir: string) => coordinator.triggerSavepoint(dir),
      stop: (savepoint: string) => stopAll({ kind: 'stopped', savepoint }),
    },
  );

  /** Set once every subtask has an outcome: a slot thread terminated after that is no failure. */
  let subtasksEnded = false;
  const slotRuns: Array<Promise<unknown>> = [];
  for (const members of slots) {
    const slot: SlotDeployment = {
      index: members[0]!.deployment.subtaskIndex,
      doorbell: members[0]!.deployment.doorbell,
      running: new SharedArrayBuffer(4),
      subtasks: members.map(({ deployment }) => deployment),
    };
    const run = pool.run(slot, { transferList: members.map(({ deployment }) => deployment.port) }).then(
      (outcomes: SubtaskOutcome[]) => members.forEach((member, index) => member.ended.resolve(outcomes[index]!)),
      (cause: unknown) => {
        if (!stop && !subtasksEnded) stopAll({ kind: 'failed', error: workerDied(slot, cause) });
        for (const member of members) member.ended.reject(cause);
      },
    );
    slotRuns.push(run);
  }
  const outcomes: Array<SubtaskOutcome | undefined> = new Array(running.length);
  await Promise.all(
    running.map(async (subtask, index) => {
      const { deployment } = subtask;
      const where = { operator: deployment.vertexName, subtask: deployment.subtaskIndex, parallelism: deployment.parallelism };
      let outcome: SubtaskOutcome;
      try {
        outcome = await subtask.ended.promise;
      } catch {
        // The slot's thread died: its handler above failed the attempt, naming the thread's subtasks.
        subtask.settled = true;
        return;
      }
      subtask.settled = true;
      outcomes[index] = outcome;
      if (outcome.status === 'finished') {
        coordinator?.subtaskFinished(index);
      } else if (outcome.status === 'failed') {
        const cause = deserializeError(outcome.error);
        const location = { ...where, operator: outcome.operator, recordsIn: outcome.recordsIn, position: outcome.position };
        const frame = userFrame(cause.stack);
        stopAll({
          kind: 'failed',
          error: new JobFailedError(
            location,
            `operator '${outcome.operator}' (subtask ${deployment.subtaskIndex}/${deployment.parallelism}) failed` +
              (outcome.position ? ` on ${outcome.position}` : '') +
              `: ${cause.message}` +
              (frame ? ` (thrown at ${frame})` : ''),
            { cause },
          ),
        });
      }
    }),
  );
  subtasksEnded = true;
  // Each subtask's `ended` message can overtake its slot's result: let the slots return before
  // the pool is destroyed (a cancelled attempt's grace timer still ends stuck threads).
  await Promise.allSettled(slotRuns);
  context.signal?.removeEventListener('abort', onAbort);
  context.control.attach(undefined);
  clearTimeout(graceTimer);
  await coordinator?.stop();
  for (const channel of ports) channel.port1.close();
  pool.off('error', onPoolError);
  await threads.release(stop === undefined);

  if (stop) return stop;
  return { kind: 'finished', result: buildResult(plan, jobId, running, outcomes) };
}

/**
 * The failure of a slot whose thread died. The slot marks the subtask it is running user code
 * of (opening, stepping, finishing); a death outside that (a timer or a promise left behind by
 * user code) could come from any of the thread's subtasks, and the message names them all.
 */
function workerDied(slot: SlotDeployment, cause: unknown): JobFailedError {
  const describe = (d: SubtaskDeployment) => `'${d.vertexName}' subtask ${d.subtaskIndex}/${d.parallelism}`;
  const runningIndex = Atomics.load(new Int32Array(slot.running), 0) - 1;
  const culprit = slot.subtasks[runningIndex];
  // A subtask that already finished may have left the timer behind: every subtask is a suspect.
  const suspects = culprit ? [culprit] : slot.subtasks;
  const blamed = suspects[suspects.length - 1]!;
  const who =
    suspects.length === 1
      ? `the worker thread of ${describe(blamed)}`
      : `the worker thread running ${suspects.map(describe).join(' and ')}`;
  return new JobFailedError(
    { operator: blamed.vertexName, subtask: blamed.subtaskIndex, parallelism: blamed.parallelism },
    `${who} died: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause, code: 'SLUICE_WORKER_DIED' },
  );
}

function buildResult(
  plan: JobPlan,
  jobId: string,
  running: readonly RunningSubtask[],
  outcomes: ReadonlyArray<SubtaskOutcome | undefined>,
): Omit<JobResult, 'checkpoints' | 'restarts' | 'durationMs'> {
  const operators: Record<string, OperatorStats> = {};
  const sinks: Record<string, unknown[]> = {};
  let replayedRecords = 0;
  running.forEach((subtask, index) => {
    const outcome = outcomes[index];
    if (outcome?.status !== 'finished') return;
    replayedRecords += outcome.replayedRecords;
    const vertex = plan.vertices[subtask.vertex]!;
    for (const counters of outcome.operators) {
      const planned = vertex.operators.find((operator) => operator.name === counters.name)!;
      const previous = operators[counters.name];
      operators[counters.name] = {
        name: counters.name,
        kind: planned.kind,
        parallelism: vertex.parallelism,
        recordsIn: (previous?.recordsIn ?? 0) + counters.recordsIn,
        recordsOut: (previous?.recordsOut ?? 0) + counters.recordsOut,
      };
    }
    const tail = vertex.operators[vertex.operators.length - 1]!;
    if (tail.kind === 'sink') {
      const parts = (sinks[tail.name] ??= new Array(vertex.parallelism));
      parts[subtask.deployment.subtaskIndex] = outcome.sinkResult;
    }
  });
  return { jobId, operators, sinks, replayedRecords };
}
