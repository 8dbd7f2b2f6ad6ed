/**
 * One attempt of a job: deploys the plan on slot threads, relays control messages, wires the
 * checkpoint coordinator to the subtasks' messages, and collects every subtask's outcome. A
 * failure, a cancel or a stop-with-savepoint stops every subtask through its control ring
 * (threads that do not stop in time are terminated); the job manager decides what comes next.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Packr } from 'msgpackr';
import { RingWriter } from '../../native-free-buffers/index.js';
import type { CheckpointConfig } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import { restoreKey } from '../checkpoint/rescale.js';
import { JobFailedError } from '../errors/sluice-error.js';
import type { JobPlan } from '../plan/job-plan.js';
import type { CheckpointStorage, IoPool } from '../storage/index.js';
import { deployPlan, slotCount } from './deploy-plan.js';
import type { ControlMessage, InjectedFault, SlotDeployment, SubtaskDeployment, SubtaskMessage, SubtaskOutcome, SubtaskRestore } from './deployment.js';
import { deserializeError } from './deployment.js';
import type { JobControl } from './job-control.js';
import type { JobEvent, JobResult, OperatorStats } from './job-result.js';
import { SlotThreads } from './slot-threads.js';
import { userFrame } from './user-frame.js';

/** How long cancelled subtasks get to stop before their threads are terminated. */
const CANCEL_GRACE_MS = 5000;

/** A deployed subtask, as the job manager tracks it. */
interface RunningSubtask {
  readonly deployment: SubtaskDeployment;
  readonly vertex: number;
  /** The slot (thread) it runs on. */
  readonly slot: number;
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

/** What one attempt ended with. */
export type AttemptOutcome =
  | { readonly kind: 'finished'; readonly result: Omit<JobResult, 'checkpoints' | 'restarts' | 'durationMs'> }
  | { readonly kind: 'stopped'; readonly savepoint: string }
  | { readonly kind: 'failed'; readonly error: Error }
  | { readonly kind: 'cancelled'; readonly reason: unknown };

/** Everything an attempt needs besides the plan. */
export interface AttemptContext {
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

/** Whether an attempt failed only because a peer subtask stopped: its consumer cancelled the channel it wrote to. */
function isConsequentialFailure(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'failed' && (outcome.error.cause as { code?: unknown } | undefined)?.code === 'SLUICE_RING_CANCELLED';
}

/** Runs one attempt of a job to its end, failure or cancel: `await new JobAttempt(context).run()`. */
export class JobAttempt {
  readonly #context: AttemptContext;
  readonly #packr = new Packr();
  readonly #running: RunningSubtask[];
  readonly #ports: MessageChannel[];
  readonly #threads: SlotThreads;
  readonly #coordinator: CheckpointCoordinator | undefined;
  /** What ended the attempt early, once something did. */
  #stop: AttemptOutcome | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  /** Set once every subtask has an outcome: a slot thread terminated after that is no failure. */
  #subtasksEnded = false;
  #runningSubtasks = 0;
  readonly #onAbort = () => this.#stopAll({ kind: 'cancelled', reason: this.#context.signal?.reason });
  // A worker can fail after its task settled: a timer or a promise its user code left behind
  // throws once its subtask has ended. piscina then emits 'error' on the pool, and an 'error'
  // event without a listener would be thrown here, in the host's main thread. piscina does not
  // say which worker it was; it is one of the subtasks that had ended.
  readonly #onPoolError = (cause: unknown) => {
    if (this.#stop) return;
    const ended = this.#running.filter((subtask) => subtask.settled).map(({ deployment }) => deployment);
    const first = ended[0] ?? this.#running[0]!.deployment;
    this.#stopAll({
      kind: 'failed',
      error: new JobFailedError(
        { operator: first.vertexName, subtask: first.subtaskIndex, parallelism: first.parallelism },
        `a worker thread died after its subtask had ended (one of ${ended.map((d) => `'${d.vertexName}' subtask ${d.subtaskIndex}/${d.parallelism}`).join(', ')}): ` +
          (cause instanceof Error ? cause.message : String(cause)),
        { cause, code: 'SLUICE_WORKER_DIED' },
      ),
    });
  };

  constructor(context: AttemptContext) {
    this.#context = context;
    const { plan, jobId, checkpoints } = context;
    const deployed = deployPlan(plan, jobId);
    this.#ports = deployed.map(() => new MessageChannel());
    this.#running = deployed.map(({ deployment, vertex, slot }, index) => ({
      deployment: {
        ...deployment,
        port: this.#ports[index]!.port2,
        attempt: context.attempt,
        checkpointing: checkpoints ? { mode: checkpoints.mode, alignmentTimeoutMs: checkpoints.alignmentTimeoutMs } : undefined,
        restore: context.restore?.get(restoreKey(deployment.vertexName, deployment.subtaskIndex)),
        faults: context.faults,
      },
      vertex,
      slot,
      control: new RingWriter(deployment.control, { consumerDoorbell: deployment.doorbell }),
      settled: false,
      ended: deferred<SubtaskOutcome>(),
    }));
    this.#threads = SlotThreads.acquire(slotCount(plan));
    this.#coordinator = this.#createCoordinator();
  }

  /** Runs the attempt; resolves with how it ended (never rejects for a subtask's failure). */
  async run(): Promise<AttemptOutcome> {
    const context = this.#context;
    const pool = this.#threads.pool;
    pool.on('error', this.#onPoolError);
    if (context.signal?.aborted) this.#onAbort();
    context.signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#listen();
    const coordinator = this.#coordinator;
    context.control.attach(
      coordinator && {
        savepoint: (dir: string) => coordinator.triggerSavepoint(dir),
        stop: (savepoint: string) => this.#stopAll({ kind: 'stopped', savepoint }),
      },
    );
    const slotRuns = this.#startSlots();
    const outcomes = await Promise.all(this.#running.map((subtask, index) => this.#outcomeOf(subtask, index)));
    this.#subtasksEnded = true;
    // Each subtask's `ended` message can overtake its slot's result: let the slots return before
    // the pool is destroyed (a cancelled attempt's grace timer still ends stuck threads).
    await Promise.allSettled(slotRuns);
    context.signal?.removeEventListener('abort', this.#onAbort);
    context.control.attach(undefined);
    clearTimeout(this.#graceTimer);
    await coordinator?.stop();
    for (const channel of this.#ports) channel.port1.close();
    pool.off('error', this.#onPoolError);
    await this.#threads.release(this.#stop === undefined);
    if (this.#stop) return this.#stop;
    return { kind: 'finished', result: buildResult(context.plan, context.jobId, this.#running, outcomes) };
  }

  /** Sends a message to every running subtask; false when one's control ring was full. */
  #send(message: ControlMessage): boolean {
    const bytes = this.#packr.pack(message);
    let delivered = true;
    for (const subtask of this.#running) {
      if (subtask.settled) continue;
      // Full only when a subtask has not looked at its control ring for hundreds of messages
      // (stuck in user code): the caller decides (a checkpoint aborts; a cancel falls back to
      // terminating threads after the grace period).
      if (subtask.control.tryWrite(bytes)) subtask.control.publish();
      else delivered = false;
    }
    return delivered;
  }

  /** Ends the attempt with `reason`: cancels every subtask, and terminates threads after a grace period. */
  #stopAll(reason: AttemptOutcome): void {
    const stop = this.#stop;
    if (stop) {
      // A producer whose consumer failed fails in turn (the consumer cancelled its channel), and
      // its outcome can arrive first: the consumer's failure, the cause, takes its place.
      if (isConsequentialFailure(stop) && reason.kind === 'failed' && !isConsequentialFailure(reason)) this.#stop = reason;
      return;
    }
    this.#stop = reason;
    this.#send({ type: 'cancel' });
    this.#graceTimer = setTimeout(() => this.#threads.destroy(), CANCEL_GRACE_MS);
    this.#graceTimer.unref();
  }

  #createCoordinator(): CheckpointCoordinator | undefined {
    const context = this.#context;
    const { checkpoints, storage, io } = context;
    if (!checkpoints || !storage || !io) return undefined;
    return new CheckpointCoordinator(
      checkpoints,
      storage,
      io,
      this.#running.map(({ deployment }) => ({
        operator: deployment.vertexName,
        uids: deployment.operators.map((operator) => operator.uid),
        subtaskIndex: deployment.subtaskIndex,
        parallelism: deployment.parallelism,
        isSource: deployment.operators[0]!.kind === 'source',
      })),
      {
        broadcast: (message) => this.#stop !== undefined || this.#send(message),
        fail: (error) => this.#stopAll({ kind: 'failed', error }),
        recorded: (statistics) => {
          context.history.push(statistics);
          context.onEvent({ type: 'checkpoint', statistics });
        },
      },
      context.plan.jobName,
      context.firstCheckpointId,
    );
  }

  /** Takes the subtasks' messages: outcomes, acknowledgements and declines, and that they run. */
  #listen(): void {
    this.#ports.forEach((channel, index) => {
      channel.port1.on('message', (message: SubtaskMessage) => this.#onMessage(index, message));
      channel.port1.unref();
    });
  }

  #onMessage(index: number, message: SubtaskMessage): void {
    const subtask = this.#running[index]!;
    if (message.type === 'ended') {
      subtask.ended.resolve(message.outcome);
    } else if (message.type !== 'running') {
      this.#coordinator?.onMessage(index, message);
    } else {
      const { rolledBack } = message;
      if (rolledBack) {
        this.#context.onEvent({ type: 'rolled-back', operator: rolledBack.operator, subtask: subtask.deployment.subtaskIndex, checkpointId: rolledBack.checkpointId, items: rolledBack.items });
      }
      // Checkpoints are triggered once every subtask runs (as in Flink): a subtask still starting
      // would not take its control messages, and checkpoints would time out one after another.
      if (++this.#runningSubtasks === this.#running.length && !this.#stop) this.#coordinator?.start();
    }
  }

  /** Starts one piscina task per slot; a slot whose thread dies fails the attempt, naming its subtasks. */
  #startSlots(): Array<Promise<unknown>> {
    const slots = Array.from({ length: slotCount(this.#context.plan) }, (_, index) =>
      this.#running.filter((subtask) => subtask.slot === index),
    );
    return slots.map((members, index) => {
      const slot: SlotDeployment = {
        index,
        doorbell: members[0]!.deployment.doorbell,
        running: new SharedArrayBuffer(4),
        subtasks: members.map(({ deployment }) => deployment),
      };
      const transferList = members.map(({ deployment }) => deployment.port as MessagePort);
      return this.#threads.pool.run(slot, { transferList }).then(
        (outcomes: SubtaskOutcome[]) => members.forEach((member, index) => member.ended.resolve(outcomes[index]!)),
        (cause: unknown) => {
          if (!this.#stop && !this.#subtasksEnded) this.#stopAll({ kind: 'failed', error: workerDied(slot, cause) });
          for (const member of members) member.ended.reject(cause);
        },
      );
    });
  }

  /** Waits for a subtask's outcome and acts on it: a finished subtask leaves checkpoints, a failed one stops the attempt. */
  async #outcomeOf(subtask: RunningSubtask, index: number): Promise<SubtaskOutcome | undefined> {
    const { deployment } = subtask;
    let outcome: SubtaskOutcome;
    try {
      outcome = await subtask.ended.promise;
    } catch {
      // The slot's thread died: its handler failed the attempt, naming the thread's subtasks.
      subtask.settled = true;
      return undefined;
    }
    subtask.settled = true;
    if (outcome.status === 'finished') {
      this.#coordinator?.subtaskFinished(index);
    } else if (outcome.status === 'failed') {
      const cause = deserializeError(outcome.error);
      const location = {
        operator: outcome.operator,
        subtask: deployment.subtaskIndex,
        parallelism: deployment.parallelism,
        recordsIn: outcome.recordsIn,
        position: outcome.position,
      };
      const frame = userFrame(cause.stack);
      this.#stopAll({
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
    return outcome;
  }
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
