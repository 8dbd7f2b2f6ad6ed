import type { RecordShape } from '../api/specs.js';
import type { FunctionRef } from './function-ref.js';
import type { OperatorKind, WindowCombine } from './logical-graph.js';
import type { WindowAssigner } from '../api/windows.js';

/** A source's watermark strategy with its timestamp assigner resolved to a ref. */
export interface ResolvedWatermarks {
  readonly timestamp: FunctionRef;
  readonly maxOutOfOrdernessMs: number;
  readonly idleTimeoutMs: number | undefined;
}

/** A window operation with its functions resolved (the combine function is the operator's `fn`). */
export interface ResolvedWindow {
  readonly assigner: WindowAssigner;
  readonly allowedLatenessMs: number;
  readonly combine: WindowCombine;
  readonly windowFunction: FunctionRef | undefined;
  readonly emitLate: boolean;
}

/** How a keyed operator or a hash partitioner computes a record's key, resolved. */
export type ResolvedKey =
  | { readonly type: 'field'; readonly field: string | number }
  | { readonly type: 'function'; readonly fn: FunctionRef };

/** A partitioning with `auto` resolved and key functions resolved to refs. */
export type ResolvedPartitioning =
  | { readonly type: 'forward' }
  | { readonly type: 'rebalance' }
  | { readonly type: 'broadcast' }
  | { readonly type: 'hash'; readonly key: ResolvedKey };

/** One operator inside a chain. */
export interface PlannedOperator {
  readonly name: string;
  /** Stable identity of the operator's state in checkpoints. */
  readonly uid: string;
  readonly kind: OperatorKind;
  readonly fn: FunctionRef | undefined;
  readonly options: unknown;
  /** For keyed operators: how to compute the current key. */
  readonly key: ResolvedKey | undefined;
  /** For sources with event time: the watermark strategy. */
  readonly watermarks?: ResolvedWatermarks;
  /** For window operators. */
  readonly window?: ResolvedWindow;
}

/** An edge between two vertices. Its channels are the (producer, consumer) subtask pairs. */
export interface PlannedEdge {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly partitioning: ResolvedPartitioning;
  readonly shape: RecordShape;
  /** The job uses event time: batches on this edge carry each record's event time, and watermarks flow on it. */
  readonly eventTime?: boolean;
}

/**
 * A vertex: a chain of forward-connected operators of equal parallelism that run in one
 * subtask, so they do not pay for a channel between them.
 */
export interface PlannedVertex {
  readonly id: number;
  /** The chain's operators' names joined by ' -> '. */
  readonly name: string;
  readonly parallelism: number;
  /** The slot sharing group of its operators (a chain never spans two groups). */
  readonly slotSharingGroup: string;
  /** Head first. */
  readonly operators: readonly PlannedOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** The physical plan of a job. */
export interface JobPlan {
  readonly jobName: string;
  readonly maxParallelism: number;
  readonly channelBytes: number;
  /** Buffer debloating target per input channel, or 'off' (see JobSettings). */
  readonly debloatTargetMs: number | 'off';
  readonly vertices: readonly PlannedVertex[];
  readonly edges: readonly PlannedEdge[];
}

/** The channels of an edge: index pairs (producer subtask, consumer subtask). */
export function edgeChannels(edge: PlannedEdge, producers: number, consumers: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  if (edge.partitioning.type === 'forward') {
    for (let i = 0; i < producers; i++) pairs.push([i, i]);
  } else {
    for (let i = 0; i < producers; i++) for (let j = 0; j < consumers; j++) pairs.push([i, j]);
  }
  return pairs;
}
