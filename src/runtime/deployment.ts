/**
 * What crosses between the job manager (main thread) and a subtask (worker thread): the
 * deployment a subtask is started with, the control messages it receives, and the outcome
 * it returns. Both sides import this file.
 */
import type { RecordShape } from '../api/specs.js';
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
  /** Channels in the order of the consumer subtasks they lead to. */
  readonly channels: readonly ChannelEndpoint[];
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
  /** This subtask's doorbell. */
  readonly doorbell: SharedArrayBuffer;
  /** Ring carrying control messages from the job manager to this subtask. */
  readonly control: SharedArrayBuffer;
}

/** Messages from the job manager to a subtask, through its control ring. */
export type ControlMessage = { readonly type: 'cancel' };

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
