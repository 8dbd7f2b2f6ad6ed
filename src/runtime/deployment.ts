/**
 * What crosses between the job manager (main thread) and a subtask (worker thread): the
 * deployment a subtask is started with, the control messages it receives, and the outcome
 * it returns. Both sides import this file.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RecordShape } from '../api/specs.js';
import type { CheckpointMode } from '../checkpoint/checkpoint-mode.js';
import type { DebloatSettings } from './buffer-debloater.js';
import type { PlannedOperator, ResolvedPartitioning } from '../plan/job-plan.js';

/** One end of a channel: its ring and the doorbell of the subtask at the other end. */
export interface ChannelEndpoint {
  readonly ring: SharedArrayBuffer;
  /** The doorbell of the subtask at the other end of the channel. */
  readonly peerDoorbell: SharedArrayBuffer;
  /** The index of the subtask at the other end. */
  readonly peerSubtask: number;
}

/** The channels of one input edge of a subtask. */
export interface InputDeployment {
  readonly edgeId: number;
  readonly shape: RecordShape;
  /** Name of the upstream vertex, for messages. */
  readonly from: string;
  readonly channels: readonly ChannelEndpoint[];
}

/** The channels of one output edge of a subtask. */
export interface OutputDeployment {
  readonly edgeId: number;
  readonly shape: RecordShape;
  readonly partitioning: ResolvedPartitioning;
  /** Batches carry each record's event time (the job uses event time). */
  readonly eventTime?: boolean;
  /** Channels in the order of the consumer subtasks they lead to. */
  readonly channels: readonly ChannelEndpoint[];
}

/**
 * One worker thread's share of a job: subtask i of every vertex of one slot sharing group that
 * has one (Flink's slot sharing). Its subtasks share the thread and its doorbell.
 */
export interface SlotDeployment {
  /** The slot's index among the job's slots (see slotLayout). */
  readonly index: number;
  /** The thread's doorbell, which every subtask's deployment names too. */
  readonly doorbell: SharedArrayBuffer;
  /**
   * One Int32: 1 + the index (in `subtasks`) of the subtask whose code the thread runs now, 0
   * between them. When the thread dies, the job manager reads it to name the culprit.
   */
  readonly running: SharedArrayBuffer;
  readonly subtasks: readonly SubtaskDeployment[];
}

/** Everything a subtask needs to run. Structured-cloneable; SharedArrayBuffers are shared. */
export interface SubtaskDeployment {
  readonly jobId: string;
  readonly vertexName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The chain, head first. */
  readonly operators: readonly PlannedOperator[];
  readonly inputs: readonly InputDeployment[];
  readonly outputs: readonly OutputDeployment[];
  /** The doorbell of the thread (slot) that runs this subtask. */
  readonly doorbell: SharedArrayBuffer;
  /** Buffer debloating of this subtask's inputs, when on. */
  readonly debloat?: DebloatSettings;
  /** Ring carrying control messages from the job manager to this subtask. */
  readonly control: SharedArrayBuffer;
  /** Which attempt of the job this is: 0 for the first run, then one more per restart. */
  readonly attempt: number;
  /** Port for messages from this subtask to the job manager (acknowledgements, declines). */
  readonly port: MessagePort;
  /** How this job takes checkpoints, when it does. */
  readonly checkpointing?: SubtaskCheckpointing;
  /** State to resume from: this subtask's part of a completed checkpoint. */
  readonly restore?: SubtaskRestore;
  /** Failures to inject into this subtask (tests and `--inject-failures`). */
  readonly faults?: readonly InjectedFault[];
}

/** Checkpoint settings a subtask needs. */
export interface SubtaskCheckpointing {
  readonly mode: CheckpointMode;
  /** Aligned-with-timeout: alignment time, counted from the trigger, after which the checkpoint goes unaligned. */
  readonly alignmentTimeoutMs: number;
}

/** This subtask's part of a checkpoint, decompressed. */
export interface SubtaskRestore {
  readonly checkpointId: number;
  /** The subtask had finished before the checkpoint: it ends its outputs at once and runs nothing. */
  readonly finished?: boolean;
  /** The synchronous snapshot (msgpack of a {@link SubtaskSnapshot}). */
  readonly state?: Uint8Array;
  /** In-flight data (msgpack of a {@link ChannelStateSnapshot}). */
  readonly channels?: Uint8Array;
}

/** The synchronous part of a subtask's snapshot. */
export interface SubtaskSnapshot {
  /** The source's position, when the chain starts with a source. */
  readonly source?: unknown;
  /**
   * Restored at another parallelism: the positions of every old source subtask (by old
   * index), from which the source takes its share. Set only by a rescaled restore.
   */
  readonly rescaledSource?: { readonly previous: readonly unknown[] };
  /**
   * Every input of the subtask had ended and its operators had emitted what they hold (endInput)
   * before this snapshot: a restore must not let them emit it again.
   */
  readonly inputEnded?: boolean;
  /**
   * The subtask's event-time watermark at the snapshot (a source's last emitted one); absent
   * without event time. A restore starts from it, so watermarks never go back.
   */
  readonly watermark?: number;
  /** The uids of the chain's operators, head first (the source's uid is the first); absent in older snapshots. */
  readonly chain?: readonly string[];
  /** Per chained operator with state, by uid (older snapshots: by name). */
  readonly operators: ReadonlyArray<{
    readonly name: string;
    /** The operator's uid; absent in older snapshots, whose entries match by name. */
    readonly uid?: string;
    /**
     * Keyed state, packed (msgpack) at the barrier so later changes cannot leak in: per key
     * group, per state name, the entries.
     */
    readonly keyed?: Uint8Array;
    /** A sink's state (its pending transactions). */
    readonly sink?: unknown;
    /**
     * Restored at another parallelism: the states of the old sink subtasks this subtask takes
     * over (each old subtask's state goes to exactly one new subtask). Set only by a rescaled restore.
     */
    readonly rescaledSink?: {
      readonly previousParallelism: number;
      readonly states: ReadonlyArray<{ readonly subtask: number; readonly state: unknown }>;
    };
  }>;
}

/** The in-flight data of an unaligned snapshot. */
export interface ChannelStateSnapshot {
  /** Per input channel: the frames between the snapshot's read position and the barrier. */
  readonly inputs: ReadonlyArray<{ readonly edgeId: number; readonly peerSubtask: number; readonly bytes: Uint8Array }>;
  /** Per output channel: frames produced but not yet written into the ring. */
  readonly outputs: ReadonlyArray<{
    readonly edgeId: number;
    readonly consumer: number;
    readonly frames: ReadonlyArray<{ readonly frameType: number; readonly bytes: Uint8Array }>;
  }>;
}

/** Where and how an injected failure strikes. */
export interface InjectedFault {
  /** Operator (by name) whose subtask fails. */
  readonly operator: string;
  readonly subtask: number;
  /** `throw`: an operator error; `exit`: the worker thread exits hard (process.exit). */
  readonly kind: 'throw' | 'exit';
  /** Strike after the subtask took this many input records (sources: emitted). */
  readonly afterRecords?: number;
  /** Or strike at this point of checkpoint `checkpointId` (any checkpoint when omitted). */
  readonly atCheckpoint?: { readonly phase: 'before-snapshot' | 'after-snapshot' | 'after-ack'; readonly checkpointId?: number };
  /** Only in this attempt (0 = the first run; restarts count up). Default 0. */
  readonly attempt?: number;
}

/** Messages from the job manager to a subtask, through its control ring. */
export type ControlMessage =
  | { readonly type: 'cancel' }
  /** Checkpoint n was triggered at `triggerNanos` (hrtime clock): sources snapshot and emit barrier n. */
  | { readonly type: 'trigger-checkpoint'; readonly checkpointId: number; readonly triggerNanos: number }
  /** Checkpoint n completed and is committed: sinks commit its transactions. */
  | { readonly type: 'checkpoint-complete'; readonly checkpointId: number }
  /** Checkpoint n was aborted: drop what was recorded for it. */
  | { readonly type: 'checkpoint-aborted'; readonly checkpointId: number };

/** Per-subtask checkpoint statistics, with Flink's meaning. */
export interface SubtaskCheckpointStats {
  /** Time from the trigger to the first barrier (or the trigger, for sources). */
  readonly startDelayMs: number;
  /** Time from the first to the last barrier (aligned) or to the snapshot. */
  readonly alignmentDurationMs: number;
  /** Synchronous phase: snapshotting state on the subtask's thread. */
  readonly syncDurationMs: number;
  /** Bytes read from inputs during alignment. */
  readonly processedInFlightBytes: number;
  /** Bytes of in-flight data persisted (input and output channel state). */
  readonly persistedInFlightBytes: number;
  /** Whether the subtask ended the checkpoint unaligned. */
  readonly unaligned: boolean;
  /**
   * Per input channel, at the snapshot: bytes in flight (published by the producer, not yet
   * released) and the channel's in-flight limit (its capacity unless debloating).
   */
  readonly inputChannels?: ReadonlyArray<{ readonly from: string; readonly subtask: number; readonly inFlightBytes: number; readonly limitBytes: number }>;
}

/** Messages from a subtask to the job manager, through its port. */
export type SubtaskMessage =
  /** The subtask opened its operators and entered its loop: it takes control messages now. */
  | {
      readonly type: 'running';
      /** What a sink's rollback set aside or removed on restore (output committed after the restored checkpoint). */
      readonly rolledBack?: { readonly operator: string; readonly checkpointId: number; readonly items: readonly string[] };
    }
  | {
      readonly type: 'acknowledge';
      readonly checkpointId: number;
      /** Msgpack of the SubtaskSnapshot (its buffer is transferred). */
      readonly state: Uint8Array;
      /** Msgpack of the ChannelStateSnapshot, for unaligned snapshots with in-flight data. */
      readonly channels?: Uint8Array;
      readonly stats: SubtaskCheckpointStats;
    }
  | { readonly type: 'decline'; readonly checkpointId: number; readonly reason: string }
  /** The subtask ended (its last message): the job manager learns it before the slot's other subtasks end. */
  | { readonly type: 'ended'; readonly outcome: SubtaskOutcome };

/** An error made structured-cloneable. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly cause?: SerializedError;
}

/** Per-operator counters of one subtask. */
export interface OperatorCounters {
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** How a subtask ended. */
export type SubtaskOutcome =
  | {
      readonly status: 'finished';
      readonly operators: readonly OperatorCounters[];
      /** Records processed from restored in-flight data (channel state). */
      readonly replayedRecords: number;
      /** What the sink's finish() returned, when the chain ends in a sink. */
      readonly sinkResult?: unknown;
    }
  | { readonly status: 'cancelled' }
  | {
      readonly status: 'failed';
      readonly operator: string;
      readonly recordsIn: number;
      readonly position?: string;
      readonly error: SerializedError;
    };

/** Converts an error (or anything thrown) to a structured-cloneable form. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      code: typeof code === 'string' ? code : undefined,
      cause: error.cause !== undefined && depth < 4 ? serializeError(error.cause, depth + 1) : undefined,
    };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : `non-error thrown: ${String(error)}` };
}

/** Rebuilds an Error from its serialized form (class identity is not preserved; name and code are). */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message, serialized.cause ? { cause: deserializeError(serialized.cause) } : undefined);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  if (serialized.code) (error as { code?: string }).code = serialized.code;
  return error;
}
