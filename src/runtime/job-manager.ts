import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';
import { Piscina } from 'piscina';
import { Doorbell, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import type { PipelineOptions } from '../api/pipeline.js';
import { JobCancelledError, JobFailedError } from '../errors/sluice-error.js';
import type { LogicalNode } from '../plan/logical-graph.js';
import { edgeChannels } from '../plan/job-plan.js';
import type { JobPlan } from '../plan/job-plan.js';
import { planJob } from '../plan/planner.js';
import type { ChannelEndpoint, ControlMessage, SubtaskDeployment, SubtaskOutcome } from './deployment.js';
import { deserializeError } from './deployment.js';
import type { ExecuteOptions, JobResult, OperatorStats } from './job-result.js';

/** Bytes of a subtask's control ring: control messages are few and small. */
const CONTROL_RING_BYTES = 4096;
/** How long cancelled subtasks get to stop before their threads are terminated. */
const CANCEL_GRACE_MS = 5000;

const SUBTASK_ENTRY = fileURLToPath(new URL('./subtask-entry.js', import.meta.url));

/** A deployed subtask, as the job manager tracks it. */
interface RunningSubtask {
  readonly deployment: SubtaskDeployment;
  readonly vertex: number;
  readonly control: RingWriter;
  settled: boolean;
}

/** What ended an attempt early. */
type Stop = { readonly kind: 'failed'; readonly error: JobFailedError } | { readonly kind: 'cancelled'; readonly reason: unknown };

/** Allocates every ring and doorbell of a plan and builds each subtask's deployment. */
export function deployPlan(plan: JobPlan, jobId: string): Array<{ deployment: SubtaskDeployment; vertex: number }> {
  const doorbells = plan.vertices.map((vertex) => Array.from({ length: vertex.parallelism }, () => Doorbell.allocate()));
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
  const deployments: Array<{ deployment: SubtaskDeployment; vertex: number }> = [];
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
        },
      });
    }
  }
  return deployments;
}

/**
 * Runs a job: plans it, allocates its rings, runs one long-lived piscina task per subtask,
 * and collects the outcome. A failure or a cancel stops every other subtask through its
 * control ring; threads that do not stop in time are terminated.
 */
export async function executeJob(
  options: Required<PipelineOptions>,
  nodes: readonly LogicalNode[],
  execute: ExecuteOptions,
): Promise<JobResult> {
  const plan = await planJob(options, nodes);
  const jobId = `${plan.jobName}-${randomUUID().slice(0, 8)}`;
  const deployed = deployPlan(plan, jobId);
  const packr = new Packr();
  const running: RunningSubtask[] = deployed.map(({ deployment, vertex }) => ({
    deployment,
    vertex,
    control: new RingWriter(deployment.control, { consumerDoorbell: deployment.doorbell }),
    settled: false,
  }));
  const pool = new Piscina({
    filename: SUBTASK_ENTRY,
    minThreads: running.length,
    maxThreads: running.length,
    // Subtasks run for the life of the job; piscina must never park a thread that runs one.
    atomics: 'disabled',
    idleTimeout: Number.MAX_SAFE_INTEGER,
    concurrentTasksPerWorker: 1,
  });

  let stop: Stop | undefined;
  const send = (message: ControlMessage) => {
    const bytes = packr.pack(message);
    for (const subtask of running) {
      if (subtask.settled) continue;
      // The control ring is far larger than the few messages a subtask is ever sent.
      if (!subtask.control.tryWrite(bytes)) throw new Error(`control ring of '${subtask.deployment.vertexName}' is full`);
      subtask.control.publish();
    }
  };
  let graceTimer: NodeJS.Timeout | undefined;
  const stopAll = (reason: Stop) => {
    if (stop) return;
    stop = reason;
    send({ type: 'cancel' });
    graceTimer = setTimeout(() => void pool.destroy(), CANCEL_GRACE_MS);
    graceTimer.unref();
  };
  const onAbort = () => stopAll({ kind: 'cancelled', reason: execute.signal?.reason });
  if (execute.signal?.aborted) onAbort();
  execute.signal?.addEventListener('abort', onAbort, { once: true });

  const started = performance.now();
  const outcomes: Array<SubtaskOutcome | undefined> = new Array(running.length);
  await Promise.all(
    running.map(async (subtask, index) => {
      const { deployment } = subtask;
      const where = { operator: deployment.vertexName, subtask: deployment.subtaskIndex, parallelism: deployment.parallelism };
      let outcome: SubtaskOutcome;
      try {
        outcome = (await pool.run(deployment)) as SubtaskOutcome;
      } catch (cause) {
        subtask.settled = true;
        if (stop) return; // terminated after a cancel, or a consequence of the first failure
        stopAll({
          kind: 'failed',
          error: new JobFailedError(
            where,
            `the worker thread of '${deployment.vertexName}' subtask ${deployment.subtaskIndex}/${deployment.parallelism} ` +
              `died: ${cause instanceof Error ? cause.message : String(cause)}`,
            { cause, code: 'SLUICE_WORKER_DIED' },
          ),
        });
        return;
      }
      subtask.settled = true;
      outcomes[index] = outcome;
      if (outcome.status === 'failed') {
        const cause = deserializeError(outcome.error);
        const location = { ...where, operator: outcome.operator, recordsIn: outcome.recordsIn, position: outcome.position };
        stopAll({
          kind: 'failed',
          error: new JobFailedError(
            location,
            `operator '${outcome.operator}' (subtask ${deployment.subtaskIndex}/${deployment.parallelism}) failed` +
              (outcome.position ? ` on ${outcome.position}` : '') +
              `: ${cause.message}`,
            { cause },
          ),
        });
      }
    }),
  );
  const durationMs = performance.now() - started;
  execute.signal?.removeEventListener('abort', onAbort);
  clearTimeout(graceTimer);
  await pool.destroy();

  if (stop?.kind === 'failed') throw stop.error;
  if (stop?.kind === 'cancelled') throw new JobCancelledError(stop.reason);
  return buildResult(plan, jobId, durationMs, running, outcomes);
}

function buildResult(
  plan: JobPlan,
  jobId: string,
  durationMs: number,
  running: readonly RunningSubtask[],
  outcomes: ReadonlyArray<SubtaskOutcome | undefined>,
): JobResult {
  const operators: Record<string, OperatorStats> = {};
  const sinks: Record<string, unknown[]> = {};
  running.forEach((subtask, index) => {
    const outcome = outcomes[index];
    if (outcome?.status !== 'finished') return;
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
  return { jobId, durationMs, operators, sinks };
}
