/**
 * flink-ctb runs its sleeping sink in a slot sharing group of its own, as Flink runs every task
 * on a thread of its own: at parallelism 4 the source and map take four threads, the sink four
 * others, and the sink is not chained to anything.
 */
import { describe, expect, it } from 'vitest';
import type * as Sluice from '../../src/index.js';
import type * as BenchCommand from '../../src/bench/bench-command.js';
import type * as Scenarios from '../../src/bench/scenarios.js';
import type * as Planner from '../../src/plan/planner.js';
import type * as DeployPlan from '../../src/runtime/deploy-plan.js';
import { loadCompiled } from '../support/compiled.js';

// The planner loads the bench's functions in the compiled modules workers would load.
const { Pipeline } = await loadCompiled<typeof Sluice>('src/index.js');
const { benchPlan } = await loadCompiled<typeof BenchCommand>('src/bench/bench-command.js');
const { planJobs } = await loadCompiled<typeof Scenarios>('src/bench/scenarios.js');
const { planJob } = await loadCompiled<typeof Planner>('src/plan/planner.js');
const { slotLayout } = await loadCompiled<typeof DeployPlan>('src/runtime/deploy-plan.js');

describe('sluice bench --scenario flink-ctb', () => {
  it.each(['aligned', 'unaligned', 'aligned-timeout'] as const)('%s: puts the sink on threads of its own', async (mode) => {
    const [job] = planJobs(benchPlan({ scenarios: ['flink-ctb'], modes: [mode] }));
    const pipeline = new Pipeline({ parallelism: job!.parallelism });
    job!.build(pipeline);
    const groups = Object.fromEntries(pipeline.nodes.filter((node) => node.kind !== 'union').map((node) => [node.name, node.slotSharingGroup]));
    expect(groups['source']).toBe('default');
    expect(groups['map']).toBe('default');
    expect(groups['sink']).not.toBe('default');
    const plan = await planJob(pipeline.options, pipeline.nodes);
    expect(slotLayout(plan).slots).toBe(2 * job!.parallelism);
  });
});
