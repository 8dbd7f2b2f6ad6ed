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

/** Threads a plan runs on: one slot per subtask index, as many as the widest vertex has subtasks. */
export function slotCount(plan: JobPlan): number {
  return Math.max(...plan.vertices.map((vertex) => vertex.parallelism));
}

