/**
 * Restoring a checkpoint at another parallelism (rescaling): which parts of the old subtasks'
 * snapshots each new subtask gets. Runs on the main thread, between reading a restore point's
 * files and deploying the subtasks.
 *
 * - Keyed state: each new subtask gets the key groups of its range, gathered from every old
 *   subtask whose range overlaps it (state is stored per key group).
 * - Source positions: every new subtask gets the positions of all old subtasks and its source
 *   picks its share (`SourceFunction.rescalePosition`); the shares cover every remaining
 *   record exactly once.
 * - Sink state: each old subtask's state goes to exactly one new subtask (old `i` to new
 *   `i % newParallelism`), which commits or aborts the old subtask's transactions
 *   (`SinkFunction.rescaleState`), so each is committed or aborted exactly once.
 * - In-flight data (unaligned checkpoints): see {@link rerouteEdge}.
 *
 * Assumes the job's graph is the one the checkpoint ran: vertices are matched by name (see
 * {@link savedSubtasksOf}), edges by id, and key groups need the same `maxParallelism` (the
 * checkpoint does not record it, so a change goes unnoticed).
 */
import { FrameParser } from '../../native-free-buffers/index.js';
import { ConfigurationError } from '../errors/sluice-error.js';
import type { JobPlan, PlannedEdge, PlannedVertex } from '../plan/job-plan.js';
import type { ChannelStateSnapshot, SubtaskRestore, SubtaskSnapshot } from '../runtime/deployment.js';
import { FRAME_BARRIER, FRAME_WATERMARK } from '../runtime/frames.js';
import { packState, unpackState } from '../runtime/operator-chain.js';
import type { KeyExtractor } from '../runtime/record-key.js';
import { createKeyExtractor } from '../runtime/record-key.js';
import { FrameWriter, forEachRecord } from './rescale-frames.js';
import { keyGroupOf, keyGroupRange, subtaskForKeyGroup } from '../state/key-groups.js';
import type { CheckpointMetadata, SubtaskSnapshot as SavedSubtask } from '../storage/metadata.js';

/** Keyed state as packed in a snapshot: per key group, per state name, the entries. */
type KeyGroups = Array<[number, Array<[string, Array<[unknown, unknown]>]>]>;

/** The restore of every subtask of a restore point, by `(vertex name, subtask index)`. */
export type RestoreParts = Map<string, SubtaskRestore>;

/** The key of a subtask in {@link RestoreParts}. */
export const restoreKey = (vertex: string, subtask: number): string => `${vertex}\u0000${subtask}`;

/**
 * The saved subtasks of a checkpoint that belong to `vertex`, in subtask order. The one place
 * where old state is matched to the new plan's vertices (by name today).
 */
export function savedSubtasksOf(metadata: CheckpointMetadata, vertex: PlannedVertex): SavedSubtask[] {
  return metadata.subtasks.filter((subtask) => subtask.operator === vertex.name).sort((a, b) => a.subtaskIndex - b.subtaskIndex);
}

/** The parallelism each vertex of `plan` ran at in the checkpoint (undefined: new to the job). */
export function savedParallelism(metadata: CheckpointMetadata, plan: JobPlan): Array<number | undefined> {
  return plan.vertices.map((vertex) => savedSubtasksOf(metadata, vertex)[0]?.parallelism);
}

/** Whether any vertex of `plan` runs at another parallelism than in the checkpoint. */
export function needsRescale(metadata: CheckpointMetadata, plan: JobPlan): boolean {
  return savedParallelism(metadata, plan).some((old, index) => old !== undefined && old !== plan.vertices[index]!.parallelism);
}

/**
 * Builds the restore of every subtask of `plan` from the restore parts of a checkpoint taken
 * at other parallelisms. Vertices and edges whose parallelism did not change keep their parts
 * as they are.
 */
export async function rescaleRestore(metadata: CheckpointMetadata, plan: JobPlan, parts: RestoreParts, where: string): Promise<RestoreParts> {
  const oldParallelism = savedParallelism(metadata, plan);
  for (const [index, vertex] of plan.vertices.entries()) {
    if (vertex.parallelism > plan.maxParallelism) {
      throw new ConfigurationError(
        `'${vertex.name}' asks for parallelism ${vertex.parallelism}, above maxParallelism ${plan.maxParallelism}; ` +
          `restore ${where} at parallelism ${plan.maxParallelism} or less`,
      );
    }
    const old = oldParallelism[index];
    if (old !== undefined && old > plan.maxParallelism) {
      throw new ConfigurationError(
        `${where} ran '${vertex.name}' at parallelism ${old}, above this job's maxParallelism ${plan.maxParallelism}: ` +
          `its key groups do not match; restore it with the maxParallelism it was taken with`,
      );
    }
  }
  const changed = (vertex: number) => oldParallelism[vertex] !== undefined && oldParallelism[vertex] !== plan.vertices[vertex]!.parallelism;
  const edgeChanged = (edge: PlannedEdge) => changed(edge.from) || changed(edge.to);

  const decoded = (vertex: PlannedVertex, subtask: number) => {
    const part = parts.get(restoreKey(vertex.name, subtask));
    return {
      state: part?.state ? unpackState<SubtaskSnapshot>(part.state) : undefined,
      channels: part?.channels ? unpackState<ChannelStateSnapshot>(part.channels) : undefined,
    };
  };
  const oldSnapshots = plan.vertices.map((vertex, index) =>
    Array.from({ length: oldParallelism[index] ?? 0 }, (_, subtask) => decoded(vertex, subtask)),
  );
  // A subtask whose input had ended already emitted what it held: subtasks of another parallelism
  // taking over its key groups would emit it again.
  for (const [index, snapshots] of oldSnapshots.entries()) {
    const ended = snapshots.findIndex(({ state }) => state?.inputEnded);
    if (ended >= 0 && changed(index)) {
      throw new ConfigurationError(
        `${where} records that '${plan.vertices[index]!.name}' subtask ${ended} had ended its input; ` +
          `restore it at the parallelism it was taken at, or from a checkpoint taken before its input ended`,
      );
    }
  }

  // In-flight data of changed edges, re-routed to the new consumer subtasks.
  const rerouted = new Map<string, Array<{ edgeId: number; peerSubtask: number; bytes: Uint8Array }>>();
  for (const edge of plan.edges) {
    if (!edgeChanged(edge)) continue;
    const consumer = plan.vertices[edge.to]!;
    const perConsumer = await rerouteEdge(edge, plan, oldSnapshots[edge.from]!, oldSnapshots[edge.to]!, consumer.name);
    perConsumer.forEach((bytes, subtask) => {
      if (bytes.byteLength === 0) return;
      const key = restoreKey(consumer.name, subtask);
      if (!rerouted.has(key)) rerouted.set(key, []);
      // Any channel of the edge: the subtask replays all restored data of an edge before reading its rings.
      rerouted.get(key)!.push({ edgeId: edge.id, peerSubtask: edge.partitioning.type === 'forward' ? subtask : 0, bytes });
    });
  }

  const result: RestoreParts = new Map();
  for (const [index, vertex] of plan.vertices.entries()) {
    const old = oldParallelism[index];
    if (old === undefined) continue;
    const snapshots = oldSnapshots[index]!;
    for (let subtask = 0; subtask < vertex.parallelism; subtask++) {
      const key = restoreKey(vertex.name, subtask);
      let state: SubtaskSnapshot | undefined;
      let stateBytes: Uint8Array | undefined;
      if (!changed(index)) {
        stateBytes = parts.get(key)?.state;
      } else {
        state = rescaleState(snapshots, subtask, vertex.parallelism, plan.maxParallelism);
        stateBytes = packState(state);
      }
      const kept = snapshots[subtask]?.channels;
      const inputs = [
        ...(kept?.inputs.filter((input) => !edgeChanged(plan.edges[input.edgeId]!)) ?? []),
        ...(rerouted.get(key) ?? []),
      ];
      const outputs = changed(index) ? [] : (kept?.outputs.filter((output) => !edgeChanged(plan.edges[output.edgeId]!)) ?? []);
      const channels = inputs.length + outputs.length > 0 ? packState({ inputs, outputs } satisfies ChannelStateSnapshot) : undefined;
      result.set(key, { checkpointId: metadata.checkpointId, state: stateBytes, channels });
    }
  }
  return result;
}

/** The snapshot of new subtask `subtask` of `parallelism`, from the snapshots of every old subtask. */
function rescaleState(
  snapshots: ReadonlyArray<{ readonly state: SubtaskSnapshot | undefined }>,
  subtask: number,
  parallelism: number,
  maxParallelism: number,
): SubtaskSnapshot {
  const range = keyGroupRange(subtask, parallelism, maxParallelism);
  const names: string[] = [];
  for (const { state } of snapshots) for (const operator of state?.operators ?? []) if (!names.includes(operator.name)) names.push(operator.name);
  const operators = names.map((name) => {
    const keyed: KeyGroups = [];
    let hasKeyed = false;
    const sinkStates: Array<{ subtask: number; state: unknown }> = [];
    let hasSink = false;
    snapshots.forEach(({ state }, old) => {
      const saved = state?.operators.find((operator) => operator.name === name);
      if (!saved) return;
      if (saved.keyed) {
        hasKeyed = true;
        for (const group of unpackState<KeyGroups>(saved.keyed)) if (group[0] >= range.start && group[0] <= range.end) keyed.push(group);
      }
      if ('sink' in saved) {
        hasSink = true;
        if (old % parallelism === subtask) sinkStates.push({ subtask: old, state: saved.sink });
      }
    });
    return {
      name,
      ...(hasKeyed ? { keyed: packState(keyed.sort((a, b) => a[0] - b[0])) } : {}),
      ...(hasSink ? { rescaledSink: { previousParallelism: snapshots.length, states: sinkStates } } : {}),
    };
  });
  const withSource = snapshots.some(({ state }) => state !== undefined && 'source' in state && state.source !== undefined);
  // Event time: the new subtask starts from the smallest watermark of the old ones, so no watermark
  // goes ahead of a record some old subtask had not yet passed on (timers moved with their key groups).
  const watermarks = snapshots.flatMap(({ state }) => (state?.watermark === undefined ? [] : [state.watermark]));
  return {
    ...(withSource ? { rescaledSource: { previous: snapshots.map(({ state }) => state?.source) } } : {}),
    ...(watermarks.length > 0 ? { watermark: Math.min(...watermarks) } : {}),
    operators,
  };
}

/**
 * Re-routes the in-flight data of one edge to the consumer subtasks of the new plan.
 *
 * The in-flight data of old channel (producer p, consumer c) is the consumer's input channel
 * state (`[S_c, P_c)`) followed by the producer's output channel state for c (produced after
 * `P_c`): together, in that order, every record p sent to c that c had not processed at the
 * checkpoint. Barrier and watermark frames in it are spent and dropped (a restored consumer starts
 * from its snapshot's watermark, and producers send theirs again). The records go to the new consumers
 * by the new edge's partitioning:
 *
 * - hash: each record to the subtask that owns its key group (its key computed with the edge's
 *   key selector, as the producer does);
 * - forward and broadcast: the whole channel to new consumer `c % n` (a record broadcast to old
 *   consumer c is processed once on behalf of c, as it would have been without the restore);
 * - rebalance: whole channels spread round robin over the new consumers.
 *
 * Ordering: a new consumer gets the channels in (producer, consumer) order and the records of a
 * channel in order, so the records one producer sent for one key keep their order; the subtask
 * replays all restored data of an edge before it reads any ring of the edge, so records sent
 * before the checkpoint precede, per key, those sent after it. No record is given to two
 * consumers, and every record of the old channels to one: no loss, no duplicate.
 */
export async function rerouteEdge(
  edge: PlannedEdge,
  plan: JobPlan,
  producers: ReadonlyArray<{ readonly channels: ChannelStateSnapshot | undefined }>,
  consumers: ReadonlyArray<{ readonly channels: ChannelStateSnapshot | undefined }>,
  consumerName: string,
): Promise<Uint8Array[]> {
  const parallelism = plan.vertices[edge.to]!.parallelism;
  const partitioning = edge.partitioning;
  const key: KeyExtractor | undefined = partitioning.type === 'hash' ? await createKeyExtractor(partitioning.key, consumerName) : undefined;
  const targets = Array.from({ length: parallelism }, () => new FrameWriter(edge.shape, key !== undefined, edge.eventTime === true));
  let ordinal = 0;
  const oldProducers = producers.length;
  const oldConsumers = consumers.length;
  for (let producer = 0; producer < oldProducers; producer++) {
    for (let consumer = 0; consumer < oldConsumers; consumer++) {
      const frames: Array<{ frameType: number; bytes: Uint8Array; offset: number; length: number }> = [];
      const input = consumers[consumer]!.channels?.inputs.find((entry) => entry.edgeId === edge.id && entry.peerSubtask === producer);
      if (input) {
        const parser = new FrameParser(aligned(input.bytes));
        while (parser.next()) frames.push({ frameType: parser.frameType, bytes: parser.bytes, offset: parser.frameOffset, length: parser.frameLength });
      }
      const output = producers[producer]!.channels?.outputs.find((entry) => entry.edgeId === edge.id && entry.consumer === consumer);
      for (const frame of output?.frames ?? []) {
        const bytes = aligned(frame.bytes);
        frames.push({ frameType: frame.frameType, bytes, offset: 0, length: bytes.byteLength });
      }
      if (frames.length === 0) continue;
      const whole = partitioning.type === 'rebalance' ? targets[ordinal++ % parallelism]! : targets[consumer % parallelism]!;
      for (const frame of frames) {
        if (frame.frameType === FRAME_BARRIER || frame.frameType === FRAME_WATERMARK) continue;
        if (!key) {
          whole.addFrame(frame.frameType, frame.bytes.subarray(frame.offset, frame.offset + frame.length));
          continue;
        }
        forEachRecord(edge.shape, frame.frameType, frame.bytes, frame.offset, frame.length, (record, ingestNanos, _keyGroup, eventTime) => {
          const group = keyGroupOf(key(record), plan.maxParallelism);
          targets[subtaskForKeyGroup(group, parallelism, plan.maxParallelism)]!.addRecord(record, ingestNanos, group, eventTime);
        });
      }
      for (const target of targets) target.flushRecords();
    }
  }
  return targets.map((target) => target.bytes());
}

/** A copy of `bytes` at offset 0 of its own buffer when it is not 8-byte aligned (typed-array views need it). */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}
