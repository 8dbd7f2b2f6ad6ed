import { finite, formatRatio } from './format.js';
import { compareRuns, completedCheckpoints, sameSetup } from './run-order.js';
import type { BenchRun, Scenario } from './report-types.js';
import { scenarioRank } from './scenarios.js';

/** Fewer completed checkpoints than this on either side, and a comparison names its sample sizes. */
const FEW_CHECKPOINTS = 10;

/** Unaligned against aligned checkpoints for one scenario, channel capacity and parallelism. */
export interface UnalignedComparison {
  readonly scenario: Scenario;
  readonly channelBytes: number;
  readonly parallelism: number;
  readonly aligned: BenchRun;
  readonly unaligned: BenchRun;
  /**
   * Aligned checkpoint duration p50 divided by unaligned's: above 1, unaligned checkpoints are
   * shorter. Absent when either side has no completed checkpoint or a p50 of 0.
   */
  readonly checkpointDurationRatio: number | undefined;
  /** Unaligned latency p99 divided by aligned's: below 1, unaligned latency is lower. */
  readonly latencyP99Ratio: number | undefined;
  /** The comparison in words: `unaligned checkpoints 143x shorter; p99 latency 0.9x`. */
  readonly summary: string;
}

function positiveRatio(numerator: unknown, denominator: unknown): number | undefined {
  const top = finite(numerator);
  const bottom = finite(denominator);
  if (top === undefined || bottom === undefined || top <= 0 || bottom <= 0) return undefined;
  return top / bottom;
}

function checkpointPhrase(aligned: BenchRun, unaligned: BenchRun, ratio: number | undefined): string {
  const missing = [aligned, unaligned].filter((run) => completedCheckpoints(run) === 0).map((run) => run.mode);
  if (missing.length > 0) return `checkpoint duration not comparable: no completed ${missing.join(' or ')} checkpoint`;
  if (ratio === undefined) return 'checkpoint duration not comparable: a p50 of 0 ms';
  if (formatRatio(ratio) === '1.0x') return 'unaligned checkpoints about as long (1.0x)';
  return ratio > 1 ? `unaligned checkpoints ${formatRatio(ratio)} shorter` : `unaligned checkpoints ${formatRatio(1 / ratio)} longer`;
}

function summarize(aligned: BenchRun, unaligned: BenchRun, checkpointRatio: number | undefined, latencyRatio: number | undefined): string {
  const latency = latencyRatio === undefined ? 'p99 latency not comparable' : `p99 latency ${formatRatio(latencyRatio)}`;
  const counts = [completedCheckpoints(aligned), completedCheckpoints(unaligned)];
  const caveat =
    Math.min(...counts) > 0 && Math.min(...counts) < FEW_CHECKPOINTS
      ? ` (from ${counts[0]} aligned and ${counts[1]} unaligned checkpoints)`
      : '';
  return `${checkpointPhrase(aligned, unaligned, checkpointRatio)}; ${latency}${caveat}`;
}

/**
 * For every scenario, channel capacity and parallelism that ran both aligned and unaligned,
 * how the two compare. When a setup ran a mode more than once, the first run counts.
 */
export function compareUnalignedWithAligned(runs: readonly BenchRun[]): UnalignedComparison[] {
  const comparisons: UnalignedComparison[] = [];
  const ordered = [...runs].sort((a, b) => scenarioRank(a.scenario) - scenarioRank(b.scenario) || compareRuns(a, b));
  for (const aligned of ordered) {
    if (aligned.mode !== 'aligned') continue;
    if (comparisons.some((c) => c.scenario === aligned.scenario && sameSetup(c.aligned, aligned))) continue;
    const unaligned = ordered.find((run) => run.mode === 'unaligned' && run.scenario === aligned.scenario && sameSetup(run, aligned));
    if (unaligned === undefined) continue;
    const checkpointDurationRatio =
      completedCheckpoints(aligned) > 0 && completedCheckpoints(unaligned) > 0
        ? positiveRatio(aligned.checkpoints.durationMs?.p50, unaligned.checkpoints.durationMs?.p50)
        : undefined;
    const latencyP99Ratio = positiveRatio(unaligned.latencyMs?.p99, aligned.latencyMs?.p99);
    comparisons.push({
      scenario: aligned.scenario,
      channelBytes: aligned.channelBytes,
      parallelism: aligned.parallelism,
      aligned,
      unaligned,
      checkpointDurationRatio,
      latencyP99Ratio,
      summary: summarize(aligned, unaligned, checkpointDurationRatio, latencyP99Ratio),
    });
  }
  return comparisons;
}
