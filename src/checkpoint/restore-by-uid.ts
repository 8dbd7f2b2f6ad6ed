/**
 * Restore by operator uid. A checkpoint stores one snapshot per subtask of each chain of the job
 * that took it; the job being restored may chain its operators differently. Each piece of state
 * (an operator's keyed or sink state, a source's position) goes to the subtask of the same index
 * of the chain that now holds the operator with its uid. State that no operator of the job takes is
 * refused unless the caller allows it (Flink's `--allowNonRestoredState`).
 */
import { Packr, Unpackr } from 'msgpackr';
import { ConfigurationError, SluiceError } from '../errors/sluice-error.js';
import type { JobPlan, PlannedVertex } from '../plan/job-plan.js';
import { defaultOperatorUid } from '../plan/operator-uid.js';
import type { SubtaskRestore, SubtaskSnapshot } from '../runtime/deployment.js';
import type { CheckpointMetadata } from '../storage/metadata.js';

// The same options as the subtasks' state packing: Maps, Sets, Dates and typed arrays survive.
const statePackr = new Packr({ structuredClone: true });
const stateUnpackr = new Unpackr({ structuredClone: true });

/** The checkpoint holds state that no operator of the job restores. */
export class NonRestoredStateError extends SluiceError {
  /** The uids whose state nothing takes. */
  readonly uids: readonly string[];

  constructor(message: string, uids: readonly string[]) {
    super('SLUICE_NON_RESTORED_STATE', message);
    this.uids = uids;
  }
}

/** One subtask's files of a checkpoint, read and decompressed. */
export interface SavedSubtask {
  readonly entry: CheckpointMetadata['subtasks'][number];
  readonly state?: Uint8Array;
  readonly channels?: Uint8Array;
}

/** What {@link assignStateByUid} built. */
export interface UidAssignment {
  /** Per new subtask, keyed by `key(vertexName, subtaskIndex)`. */
  readonly restores: Map<string, SubtaskRestore>;
  /** Uids of state that was dropped (only when allowed). */
  readonly dropped: readonly string[];
}

interface Building {
  finished?: boolean;
  inputEnded?: boolean;
  source?: unknown;
  hasSource: boolean;
  operators: Array<SubtaskSnapshot['operators'][number]>;
  channels?: Uint8Array;
  /** Event time: the smallest watermark of the saved subtasks whose state this subtask takes. */
  watermark?: number;
}

/**
 * Assigns a checkpoint's saved subtasks to the plan's subtasks by operator uid; `key` makes the
 * map key of a subtask. Throws a ConfigurationError when an operator's saved parallelism differs
 * from the plan's, or when in-flight data was saved by a chain that no longer exists; a
 * {@link NonRestoredStateError} for state nothing takes, unless `allowNonRestoredState`.
 */
export function assignStateByUid(
  checkpointId: number,
  where: string,
  saved: readonly SavedSubtask[],
  plan: JobPlan,
  allowNonRestoredState: boolean,
  key: (vertexName: string, subtaskIndex: number) => string,
): UidAssignment {
  const vertexOf = new Map<string, PlannedVertex>();
  for (const vertex of plan.vertices) for (const operator of vertex.operators) vertexOf.set(operator.uid, vertex);
  const building = new Map<string, { vertex: PlannedVertex; index: number; parts: Building }>();
  const target = (vertex: PlannedVertex, index: number): Building => {
    const id = key(vertex.name, index);
    let entry = building.get(id);
    if (!entry) building.set(id, (entry = { vertex, index, parts: { hasSource: false, operators: [] } }));
    return entry.parts;
  };
  const dropped = new Set<string>();
  const checkParallelism = (vertex: PlannedVertex, uid: string, parallelism: number) => {
    if (parallelism !== vertex.parallelism) {
      throw new ConfigurationError(
        `checkpoint ${checkpointId} in ${where} ran operator uid '${uid}' at parallelism ${parallelism}, ` +
          `the job now runs it ('${vertex.name}') at parallelism ${vertex.parallelism}; restore it at parallelism ${parallelism}`,
      );
    }
  };
  for (const { entry, state, channels } of saved) {
    const snapshot: SubtaskSnapshot = state ? (stateUnpackr.unpack(state) as SubtaskSnapshot) : { operators: [] };
    // Snapshots older than uids name their chain only through the vertex name.
    const chain = snapshot.chain ?? entry.uids ?? entry.operator.split(' -> ').map(defaultOperatorUid);
    // A subtask that takes any of this snapshot's state starts no later than its watermark.
    const takeWatermark = (parts: Building): void => {
      if (snapshot.watermark !== undefined) parts.watermark = Math.min(parts.watermark ?? Infinity, snapshot.watermark);
    };
    const sameChain = (vertex: PlannedVertex | undefined): vertex is PlannedVertex =>
      vertex !== undefined && vertex.operators.length === chain.length && vertex.operators.every((operator, i) => operator.uid === chain[i]);
    if (entry.finished) {
      const vertex = vertexOf.get(chain[0]!);
      if (!sameChain(vertex)) {
        throw new ConfigurationError(
          `checkpoint ${checkpointId} in ${where} records the chain ${chain.join(' -> ')} (subtask ${entry.subtaskIndex}) as finished, ` +
            `and this job chains those operators differently; restore it with the chaining it had, or from a checkpoint taken before it finished`,
        );
      }
      checkParallelism(vertex, chain[0]!, entry.parallelism);
      target(vertex, entry.subtaskIndex).finished = true;
      continue;
    }
    if (snapshot.inputEnded) {
      const vertex = vertexOf.get(chain[0]!);
      if (!sameChain(vertex)) {
        throw new ConfigurationError(
          `checkpoint ${checkpointId} in ${where} records that the chain ${chain.join(' -> ')} (subtask ${entry.subtaskIndex}) had ended its input, ` +
            `and this job chains those operators differently; restore it with the chaining it had, or from a checkpoint taken before its input ended`,
        );
      }
      target(vertex, entry.subtaskIndex).inputEnded = true;
    }
    if (snapshot.source !== undefined) {
      const uid = chain[0]!;
      const vertex = vertexOf.get(uid);
      if (!vertex || vertex.operators[0]!.uid !== uid) {
        dropped.add(uid);
      } else {
        checkParallelism(vertex, uid, entry.parallelism);
        const parts = target(vertex, entry.subtaskIndex);
        parts.source = snapshot.source;
        parts.hasSource = true;
        takeWatermark(parts);
      }
    }
    for (const operatorState of snapshot.operators) {
      const uid = operatorState.uid ?? defaultOperatorUid(operatorState.name);
      const vertex = vertexOf.get(uid);
      if (!vertex) {
        dropped.add(uid);
        continue;
      }
      checkParallelism(vertex, uid, entry.parallelism);
      const name = vertex.operators.find((operator) => operator.uid === uid)!.name;
      const parts = target(vertex, entry.subtaskIndex);
      parts.operators.push({ ...operatorState, name, uid });
      takeWatermark(parts);
    }
    if (channels) {
      const vertex = vertexOf.get(chain[0]!);
      if (!sameChain(vertex)) {
        throw new ConfigurationError(
          `checkpoint ${checkpointId} in ${where} holds in-flight data (an unaligned checkpoint) of the chain ${chain.join(' -> ')}, ` +
            `which this job chains differently; restore it with the chaining it had, or restore from an aligned checkpoint or savepoint`,
        );
      }
      checkParallelism(vertex, chain[0]!, entry.parallelism);
      const parts = target(vertex, entry.subtaskIndex);
      parts.channels = channels;
      takeWatermark(parts);
    }
  }
  if (dropped.size > 0 && !allowNonRestoredState) {
    const uids = [...dropped];
    throw new NonRestoredStateError(
      `checkpoint ${checkpointId} in ${where} holds state of operator uid${uids.length === 1 ? '' : 's'} ${uids.map((uid) => `'${uid}'`).join(', ')}, ` +
        `which no operator of this job has (uids now: ${[...vertexOf.keys()].map((uid) => `'${uid}'`).join(', ')}); ` +
        `give the operator that should take it that uid ({ uid } in its options), or drop the state with --allow-non-restored-state (allowNonRestoredState: true)`,
      uids,
    );
  }
  const restores = new Map<string, SubtaskRestore>();
  for (const [id, { vertex, parts }] of building) {
    const snapshot: SubtaskSnapshot = {
      ...(parts.hasSource ? { source: parts.source } : {}),
      chain: vertex.operators.map((operator) => operator.uid),
      operators: parts.operators,
      ...(parts.inputEnded ? { inputEnded: true } : {}),
      ...(parts.watermark !== undefined ? { watermark: parts.watermark } : {}),
    };
    restores.set(id, parts.finished ? { checkpointId, finished: true } : { checkpointId, state: new Uint8Array(statePackr.pack(snapshot)), channels: parts.channels });
  }
  return { restores, dropped: [...dropped] };
}
