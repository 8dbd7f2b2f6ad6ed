/**
 * A plan made concrete for one attempt: every ring and doorbell allocated, and each subtask's
 * deployment built (without its per-attempt parts: port, restore, faults).
 */
import { Doorbell, allocateRing } from '../../native-free-buffers/index.js';
import { edgeChannels } from '../plan/job-plan.js';
import type { JobPlan } from '../plan/job-plan.js';
import { DEFAULT_DEBLOAT } from './buffer-debloater.js';
import type { ChannelEndpoint, SubtaskDeployment } from './deployment.js';

/** Bytes of a subtask's control ring: room for hundreds of control messages. */
const CONTROL_RING_BYTES = 64 * 1024;

/** A deployment before its per-attempt parts (port, restore, faults) are added. */
export type BaseDeployment = Omit<SubtaskDeployment, 'port' | 'restore' | 'faults' | 'checkpointing' | 'attempt'>;

/**
 * Where a plan's subtasks run. Each slot sharing group has as many slots (threads) as its
 * widest vertex has subtasks, the groups' slots one after another in the order the groups
 * first appear among the vertices; subtask i of a vertex runs on slot `firstSlot[vertex] + i`.
 */
export interface SlotLayout {
  /** Threads the plan runs on: the sum over groups of the group's widest parallelism. */
  readonly slots: number;
  /** Per vertex id: the first slot of its group. */
  readonly firstSlot: readonly number[];
}

/** Lays a plan's subtasks out on slots, one run of slots per slot sharing group. */
export function slotLayout(plan: JobPlan): SlotLayout {
  const widest = new Map<string, number>();
  for (const vertex of plan.vertices) {
    widest.set(vertex.slotSharingGroup, Math.max(widest.get(vertex.slotSharingGroup) ?? 0, vertex.parallelism));
  }
  const groupBase = new Map<string, number>();
  let slots = 0;
  for (const [group, width] of widest) {
    groupBase.set(group, slots);
    slots += width;
  }
  return { slots, firstSlot: plan.vertices.map((vertex) => groupBase.get(vertex.slotSharingGroup)!) };
}

/** Threads a plan runs on (see {@link slotLayout}). */
export function slotCount(plan: JobPlan): number {
  return slotLayout(plan).slots;
}

/** A subtask's deployment, its vertex, and the slot (thread) it runs on. */
export interface DeployedSubtask {
  readonly deployment: BaseDeployment;
  readonly vertex: number;
  readonly slot: number;
}

/** Allocates every ring and doorbell of a plan and builds each subtask's deployment. */
export function deployPlan(plan: JobPlan, jobId: string): DeployedSubtask[] {
  // Slot sharing: every subtask of a slot runs on its thread, so the doorbell is the thread's.
  const layout = slotLayout(plan);
  const slotDoorbells = Array.from({ length: layout.slots }, () => Doorbell.allocate());
  const doorbells = plan.vertices.map((vertex) =>
    slotDoorbells.slice(layout.firstSlot[vertex.id]!, layout.firstSlot[vertex.id]! + vertex.parallelism),
  );
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
  const deployments: DeployedSubtask[] = [];
  for (const vertex of plan.vertices) {
    for (let index = 0; index < vertex.parallelism; index++) {
      deployments.push({
        vertex: vertex.id,
        slot: layout.firstSlot[vertex.id]! + index,
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
            ...(plan.edges[edgeId]!.eventTime ? { eventTime: true } : {}),
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
