import { modeRank } from './modes.js';
import { formatBytes } from './format.js';
import type { BenchRun } from './report-types.js';

/** Runs by channel capacity, then parallelism, then mode: the order of every table and chart. */
export function compareRuns(a: BenchRun, b: BenchRun): number {
  return a.channelBytes - b.channelBytes || a.parallelism - b.parallelism || modeRank(a.mode) - modeRank(b.mode);
}

/** Whether two runs share a channel capacity and parallelism, so their modes compare like for like. */
export function sameSetup(a: BenchRun, b: BenchRun): boolean {
  return a.channelBytes === b.channelBytes && a.parallelism === b.parallelism;
}

/** A run's completed checkpoints, 0 when the runner left the figure out. */
export function completedCheckpoints(run: BenchRun): number {
  const completed = run.checkpoints?.completed;
  return typeof completed === 'number' && Number.isFinite(completed) ? completed : 0;
}

/** `64 KiB`, or `64 KiB, parallelism 4` where runs of several parallelisms sit side by side. */
export function setupLabel(run: Pick<BenchRun, 'channelBytes' | 'parallelism'>, withParallelism: boolean): string {
  const capacity = formatBytes(run.channelBytes);
  return withParallelism ? `${capacity}, parallelism ${run.parallelism}` : capacity;
}

/** Whether the runs span more than one parallelism. */
export function mixedParallelism(runs: readonly BenchRun[]): boolean {
  return new Set(runs.map((run) => run.parallelism)).size > 1;
}
