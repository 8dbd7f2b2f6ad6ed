/**
 * `sluice bench --debloat-target` sets the debloating target of the backpressure, throughput and
 * recovery runs; flink-ctb keeps Flink's 300 ms; without the option every run keeps its default.
 */
import { describe, expect, it } from 'vitest';
import { benchPlan } from '../../src/bench/bench-command.js';
import { planJobs } from '../../src/bench/scenarios.js';

describe('sluice bench --debloat-target', () => {
  it('applies to every scenario but flink-ctb', () => {
    const jobs = planJobs(benchPlan({ scenarios: ['backpressure', 'flink-ctb', 'throughput'], modes: ['aligned', 'unaligned'], debloatTargetMs: 10 }));
    expect(jobs.filter((job) => job.scenario !== 'flink-ctb').every((job) => job.debloatTargetMs === 10)).toBe(true);
    expect(jobs.filter((job) => job.scenario === 'flink-ctb').map((job) => job.debloatTargetMs)).toEqual([300, 300]);
  });

  it('leaves the job default alone when not given', () => {
    const jobs = planJobs(benchPlan({ scenarios: ['backpressure'], modes: ['aligned'] }));
    expect(jobs.every((job) => job.debloatTargetMs === undefined)).toBe(true);
  });
});
