import type { FunctionDefinition } from '../api/functions.js';
import type { RecordShape } from '../api/specs.js';
import type { WatermarkStrategy } from '../api/event-time.js';
import type { WindowAssigner } from '../api/windows.js';

/** How a keyed stream computes the key of a record. */
export type KeySpec =
  /** A field of an object record, or an index of a numeric record. */
  | { readonly type: 'field'; readonly field: string | number }
  /** A key selector function. */
  | { readonly type: 'function'; readonly fn: FunctionDefinition<'keySelector'> };

/** How records move from the subtasks of one operator to those of the next. */
export type Partitioning =
  /** Forward when the parallelism is equal, else rebalance. Resolved by the planner. */
  | { readonly type: 'auto' }
  /** Subtask i sends to subtask i; needs equal parallelism. */
  | { readonly type: 'forward' }
  /** Round robin over every downstream subtask. */
  | { readonly type: 'rebalance' }
  /** Every record to every downstream subtask. */
  | { readonly type: 'broadcast' }
  /** By key: key -> key group -> the subtask that owns the key group. */
  | { readonly type: 'hash'; readonly key: KeySpec };

/** The kinds of operator in a logical graph. */
export type OperatorKind = 'source' | 'map' | 'filter' | 'flatMap' | 'reduce' | 'process' | 'window' | 'union' | 'sink';

/** How a window operator combines the records of a window. */
export type WindowCombine = 'reduce' | 'aggregate' | 'collect';

/** A window operation on a keyed stream, as the builder records it. */
export interface WindowNodeSpec {
  readonly assigner: WindowAssigner;
  readonly allowedLatenessMs: number;
  /** `reduce` and `aggregate` fold incrementally with the node's `fn`; `collect` keeps the records for the window function. */
  readonly combine: WindowCombine;
  /** Turns a window's result into output records; absent: the result is the output. */
  readonly windowFunction: FunctionDefinition<'windowFunction'> | undefined;
  /** Whether records too late for their windows go out as late records (set by `lateRecords()`); else they are dropped and counted. */
  emitLate: boolean;
}

/** An edge into a logical node. */
export interface LogicalEdge {
  readonly from: number;
  readonly partitioning: Partitioning;
}

/** One operator of the job as the user wrote it. */
export interface LogicalNode {
  readonly id: number;
  readonly name: string;
  /** Stable identity of the operator's state (see OperatorOptions.uid). */
  readonly uid: string;
  readonly kind: OperatorKind;
  /** The user function (absent for union). */
  readonly fn?: FunctionDefinition;
  /** Serializable options handed to the function's context. */
  readonly options: unknown;
  /** Parallelism set on this operator, or undefined for the job's default. */
  readonly parallelism: number | undefined;
  /** The operator's slot sharing group (see OperatorOptions.slotSharingGroup). */
  readonly slotSharingGroup: string;
  /** Shape of the records this operator emits. */
  readonly shape: RecordShape;
  readonly inputs: readonly LogicalEdge[];
  /** For keyed operators: how to compute the current key of an input record. */
  readonly key?: KeySpec;
  /** For sources: the watermark strategy (event time). */
  readonly watermarks?: WatermarkStrategy<unknown>;
  /** For window operators: the window operation. */
  readonly window?: WindowNodeSpec;
}
