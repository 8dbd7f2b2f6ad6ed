import { ConfigurationError } from '../errors/sluice-error.js';
import type { ResolvedJobSettings } from './job-settings.js';
import type { KeySpec, LogicalNode, Partitioning, WindowNodeSpec } from './logical-graph.js';
import type { WatermarkStrategy } from '../api/event-time.js';
import { resolveFunctionRef } from './function-ref.js';
import type {
  JobPlan,
  PlannedEdge,
  PlannedOperator,
  PlannedVertex,
  ResolvedKey,
  ResolvedPartitioning,
  ResolvedWatermarks,
  ResolvedWindow,
} from './job-plan.js';

interface FlatEdge {
  readonly from: number;
  readonly to: number;
  readonly partitioning: Partitioning;
}

/**
 * Replaces union nodes by edges from their inputs straight to their consumers: a union is
 * only a way of saying that an operator reads several streams.
 */
function flattenUnions(nodes: readonly LogicalNode[]): FlatEdge[] {
  const edges: FlatEdge[] = [];
  const sourcesOf = (nodeId: number, outer: Partitioning): Array<{ from: number; partitioning: Partitioning }> => {
    const node = nodes[nodeId]!;
    if (node.kind !== 'union') return [{ from: nodeId, partitioning: outer }];
    return node.inputs.flatMap((input) =>
      sourcesOf(input.from, outer.type === 'auto' ? input.partitioning : outer),
    );
  };
  for (const node of nodes) {
    if (node.kind === 'union') continue;
    for (const input of node.inputs) {
      for (const source of sourcesOf(input.from, input.partitioning)) {
        edges.push({ from: source.from, to: node.id, partitioning: source.partitioning });
      }
    }
  }
  return edges;
}

async function resolveKey(key: KeySpec, operator: string): Promise<ResolvedKey> {
  if (key.type === 'field') return key;
  return { type: 'function', fn: await resolveFunctionRef(key.fn, operator) };
}

async function resolveWatermarks(strategy: WatermarkStrategy<unknown>, operator: string): Promise<ResolvedWatermarks> {
  return {
    timestamp: await resolveFunctionRef(strategy.timestamp, operator),
    maxOutOfOrdernessMs: strategy.maxOutOfOrdernessMs,
    idleTimeoutMs: strategy.idleTimeoutMs,
  };
}

async function resolveWindow(window: WindowNodeSpec, operator: string): Promise<ResolvedWindow> {
  return {
    assigner: window.assigner,
    allowedLatenessMs: window.allowedLatenessMs,
    combine: window.combine,
    windowFunction: window.windowFunction ? await resolveFunctionRef(window.windowFunction, operator) : undefined,
    emitLate: window.emitLate,
  };
}

/**
 * Turns the logical graph into the physical plan: parallelism per operator, partitioners
 * per edge, chains of forward-connected operators, and the function refs workers load.
 */
export async function planJob(options: ResolvedJobSettings, nodes: readonly LogicalNode[]): Promise<JobPlan> {
  const parallelismOf = (node: LogicalNode) => node.parallelism ?? options.parallelism;
  const edges = flattenUnions(nodes);
  const live = nodes.filter((node) => node.kind !== 'union');
  const inputsOf = new Map<number, FlatEdge[]>();
  const outputsOf = new Map<number, FlatEdge[]>();
  for (const node of live) {
    inputsOf.set(node.id, []);
    outputsOf.set(node.id, []);
  }
  for (const edge of edges) {
    inputsOf.get(edge.to)!.push(edge);
    outputsOf.get(edge.from)!.push(edge);
  }

  const resolvePartitioning = async (edge: FlatEdge): Promise<ResolvedPartitioning> => {
    const from = nodes[edge.from]!;
    const to = nodes[edge.to]!;
    const equal = parallelismOf(from) === parallelismOf(to);
    switch (edge.partitioning.type) {
      case 'auto':
        return equal ? { type: 'forward' } : { type: 'rebalance' };
      case 'forward':
        if (!equal) {
          throw new ConfigurationError(
            `forward edge '${from.name}' -> '${to.name}' joins parallelism ${parallelismOf(from)} to ${parallelismOf(to)}; use rebalance()`,
          );
        }
        return edge.partitioning;
      case 'hash':
        return { type: 'hash', key: await resolveKey(edge.partitioning.key, to.name) };
      default:
        return edge.partitioning;
    }
  };

  for (const node of live) {
    if (node.kind === 'sink' && outputsOf.get(node.id)!.length > 0) {
      throw new ConfigurationError(`sink '${node.name}' cannot have consumers`);
    }
    if (node.kind !== 'source' && inputsOf.get(node.id)!.length === 0) {
      throw new ConfigurationError(`operator '${node.name}' has no input`);
    }
  }

  // A node chains onto its single upstream when the edge is a forward one between equal
  // parallelism in one slot sharing group, the upstream has no other consumer, and neither end
  // is a source's input. Operators of different groups run on different threads: never chained.
  const chainedOnto = new Map<number, number>();
  for (const node of live) {
    const inputs = inputsOf.get(node.id)!;
    if (node.kind === 'source' || inputs.length !== 1) continue;
    const [edge] = inputs as [FlatEdge];
    const upstream = nodes[edge.from]!;
    if (outputsOf.get(upstream.id)!.length !== 1) continue;
    if (parallelismOf(upstream) !== parallelismOf(node)) continue;
    if (upstream.slotSharingGroup !== node.slotSharingGroup) continue;
    if (edge.partitioning.type !== 'auto' && edge.partitioning.type !== 'forward') continue;
    chainedOnto.set(node.id, upstream.id);
  }

  const headOf = (id: number): number => {
    let head = id;
    while (chainedOnto.has(head)) head = chainedOnto.get(head)!;
    return head;
  };
  const chains = new Map<number, LogicalNode[]>();
  for (const node of live) {
    const head = headOf(node.id);
    if (!chains.has(head)) chains.set(head, []);
  }
  for (const [head, members] of chains) {
    let current: number | undefined = head;
    while (current !== undefined) {
      members.push(nodes[current]!);
      const next: FlatEdge | undefined = outputsOf.get(current)!.find((edge) => chainedOnto.get(edge.to) === current);
      current = next?.to;
    }
  }

  const vertexOfNode = new Map<number, number>();
  const heads = [...chains.keys()].sort((a, b) => a - b);
  heads.forEach((head, vertexId) => {
    for (const member of chains.get(head)!) vertexOfNode.set(member.id, vertexId);
  });

  // Any source with a watermark strategy: every edge carries event times (and watermarks).
  const eventTime = live.some((node) => node.watermarks !== undefined);
  const window = live.find((node) => node.kind === 'window');
  if (window !== undefined && !eventTime) {
    throw new ConfigurationError(
      `window operator '${window.name}' needs event time, and no source of the job has a watermark strategy: ` +
        'add one where the source is added, pipeline.source(spec, { watermarks: boundedOutOfOrderness({ timestamp, maxOutOfOrdernessMs }) })',
    );
  }
  const plannedEdges: PlannedEdge[] = [];
  const vertexInputs = heads.map(() => [] as number[]);
  const vertexOutputs = heads.map(() => [] as number[]);
  for (const edge of edges) {
    if (chainedOnto.get(edge.to) === edge.from) continue;
    const id = plannedEdges.length;
    const from = vertexOfNode.get(edge.from)!;
    const to = vertexOfNode.get(edge.to)!;
    plannedEdges.push({
      id,
      from,
      to,
      partitioning: await resolvePartitioning(edge),
      shape: nodes[edge.from]!.shape,
      ...(eventTime ? { eventTime } : {}),
    });
    vertexOutputs[from]!.push(id);
    vertexInputs[to]!.push(id);
  }

  const vertices: PlannedVertex[] = [];
  for (const [vertexId, head] of heads.entries()) {
    const members = chains.get(head)!;
    const operators: PlannedOperator[] = [];
    for (const member of members) {
      operators.push({
        name: member.name,
        uid: member.uid,
        kind: member.kind,
        fn: member.fn ? await resolveFunctionRef(member.fn, member.name) : undefined,
        options: member.options,
        key: member.key ? await resolveKey(member.key, member.name) : undefined,
        ...(member.watermarks ? { watermarks: await resolveWatermarks(member.watermarks, member.name) } : {}),
        ...(member.window ? { window: await resolveWindow(member.window, member.name) } : {}),
      });
    }
    vertices.push({
      id: vertexId,
      name: members.map((member) => member.name).join(' -> '),
      parallelism: parallelismOf(members[0]!),
      slotSharingGroup: members[0]!.slotSharingGroup,
      operators,
      inputs: vertexInputs[vertexId]!,
      outputs: vertexOutputs[vertexId]!,
    });
  }
  return {
    jobName: options.name,
    maxParallelism: options.maxParallelism,
    channelBytes: options.channelBytes,
    debloatTargetMs: options.debloatTargetMs,
    vertices,
    edges: plannedEdges,
  };
}
