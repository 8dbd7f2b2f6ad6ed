/**
 * The plan of a job with slot sharing groups: a chain never spans two groups (a forward edge
 * between equal parallelism is cut at a group boundary), and the job's threads are the sum
 * over groups of each group's widest parallelism, every group on slots of its own.
 */
import { describe, expect, it } from 'vitest';
import type * as DeployPlan from '../../src/runtime/deploy-plan.js';
import type * as Planner from '../../src/plan/planner.js';
import { loadCompiled } from '../support/compiled.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';

const { planJob } = await loadCompiled<typeof Planner>('src/plan/planner.js');
const { slotLayout, deployPlan } = await loadCompiled<typeof DeployPlan>('src/runtime/deploy-plan.js');

const items = () => sources.arraySourceSpec([[{ id: 1, k: 'a', v: 1 }]]);

/** source -> a -> b -> sink at parallelism 3, `b` and the sink in `group` when given. */
function pipeline(group?: { name: string; sinkParallelism?: number }) {
  const built = new sluice.Pipeline({ parallelism: 3 });
  const inGroup = group ? { slotSharingGroup: group.name } : {};
  built
    .source(items(), { name: 'src' })
    .map(ops.tripleV, { name: 'a' })
    .map(ops.tripleV, { name: 'b', ...inGroup })
    .rebalance()
    .sink(sinks.collectSpec(), { name: 'out', ...inGroup, ...(group?.sinkParallelism ? { parallelism: group.sinkParallelism } : {}) });
  return built;
}

describe('slot sharing groups in the plan', () => {
  it('cuts a chain where the group changes and keeps chaining within a group', async () => {
    const plain = await planJob(pipeline().options, pipeline().nodes);
    expect(plain.vertices.map((vertex) => vertex.name)).toEqual(['src -> a -> b', 'out']);
    expect(slotLayout(plain)).toEqual({ slots: 3, firstSlot: [0, 0] });

    const built = pipeline({ name: 'tail' });
    const grouped = await planJob(built.options, built.nodes);
    expect(grouped.vertices.map((vertex) => [vertex.name, vertex.slotSharingGroup])).toEqual([
      ['src -> a', 'default'],
      ['b', 'tail'],
      ['out', 'tail'],
    ]);
    expect(grouped.edges.map((edge) => [edge.from, edge.to, edge.partitioning.type])).toEqual([
      [0, 1, 'forward'],
      [1, 2, 'rebalance'],
    ]);
    expect(slotLayout(grouped)).toEqual({ slots: 6, firstSlot: [0, 3, 3] });
  });

  it("puts a window's results and late records in the window's group", async () => {
    const built = new sluice.Pipeline({ parallelism: 2 });
    const windowed = built
      .source(items(), { name: 'src', watermarks: sluice.boundedOutOfOrderness({ timestamp: ops.idTime }) })
      .keyBy('k')
      .window(sluice.tumblingWindows(10))
      .reduce(ops.sumV, undefined, { name: 'w', slotSharingGroup: 'windows' });
    windowed.sink(sinks.collectSpec(), { name: 'out', slotSharingGroup: 'windows' });
    windowed.lateRecords().sink(sinks.collectSpec(), { name: 'late-out', slotSharingGroup: 'windows' });
    const plan = await planJob(built.options, built.nodes);
    expect(Object.fromEntries(plan.vertices.map((vertex) => [vertex.name, vertex.slotSharingGroup]))).toEqual({
      src: 'default',
      w: 'windows',
      'w.results -> out': 'windows',
      'w.late -> late-out': 'windows',
    });
    expect(slotLayout(plan).slots).toBe(4);
  });

  it('gives each group as many slots as its widest vertex, and each slot one doorbell', async () => {
    const built = pipeline({ name: 'tail', sinkParallelism: 5 });
    const plan = await planJob(built.options, built.nodes);
    expect(slotLayout(plan)).toEqual({ slots: 8, firstSlot: [0, 3, 3] });
    const deployed = deployPlan(plan, 'job');
    const slots = new Map<number, Set<SharedArrayBuffer>>();
    for (const { deployment, vertex, slot } of deployed) {
      expect(slot).toBe(slotLayout(plan).firstSlot[vertex]! + deployment.subtaskIndex);
      if (!slots.has(slot)) slots.set(slot, new Set());
      slots.get(slot)!.add(deployment.doorbell);
    }
    expect([...slots.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const doorbells of slots.values()) expect(doorbells.size).toBe(1);
    expect(new Set([...slots.values()].flatMap((set) => [...set])).size).toBe(8);
  });
});
