import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pipeline } from '../api/pipeline.js';
import type { CheckpointOptions, RestartStrategy } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import type { InjectedFault } from '../runtime/deployment.js';
import { nowNanos } from '../runtime/record-context.js';
import type { JobResult } from '../runtime/job-result.js';
import type { LatencySinkResult } from './bench-ops.js';
import type { BenchRun, Mode, RunCheckpoints, RunReference, Scenario } from './report/report-types.js';

/** One job of a scenario, ready to run in one mode. */
export interface JobSpec {
  readonly scenario: Scenario;
  readonly mode: Mode;
  readonly channelBytes: number;
  readonly parallelism: number;
  /** Adds the job's operators; the sink must be named `sink` and be a latency sink. */
  readonly build: (pipeline: Pipeline) => void;
  readonly checkpointIntervalMs: number;
  readonly alignmentTimeoutMs: number;
  /** Checkpoints triggered before this much time are left out (backpressure is building up). */
  readonly warmupMs: number;
  readonly faults?: readonly InjectedFault[];
  readonly restart?: RestartStrategy;
  readonly reference?: RunReference;
  readonly timeline?: boolean;
  /** Buffer debloating target of the run (the job default when not given). */
  readonly debloatTargetMs?: number | 'off';
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The coordinator's reasons for checkpoints it discarded because the attempt or a subtask ended. */
const DISCARDED_AT_END = /a subtask finished before acknowledging|the job attempt ended/;

/** Reduces completed checkpoints to the run's checkpoint figures (Flink's names). */
function checkpointFigures(all: readonly CheckpointStatistics[], measured: readonly CheckpointStatistics[]): RunCheckpoints {
  const completed = measured.filter((checkpoint) => checkpoint.status === 'completed');
  const subtasks = completed.flatMap((checkpoint) => checkpoint.subtasks);
  const durations = completed.map((checkpoint) => checkpoint.endToEndDurationMs);
  const persisted = completed.map((checkpoint) => checkpoint.persistedInFlightBytes);
  const alignments = subtasks.map((subtask) => subtask.alignmentDurationMs);
  return {
    completed: completed.length,
    // Checkpoints discarded because the run ended are not failures.
    failed: all.filter((checkpoint) => checkpoint.status === 'failed' && !DISCARDED_AT_END.test(checkpoint.failureReason ?? '')).length,
    durationMs: { p50: round(percentile(durations, 50)), p99: round(percentile(durations, 99)), max: round(Math.max(0, ...durations)) },
    alignmentMs: { p50: round(percentile(alignments, 50)), max: round(Math.max(0, ...alignments)) },
    // Per checkpoint, the subtask the barrier reached last: the one that grows with the queued data.
    startDelayMs: { p50: round(percentile(completed.map((checkpoint) => Math.max(0, ...checkpoint.subtasks.map((subtask) => subtask.startDelayMs))), 50)) },
    syncMs: { p50: round(percentile(subtasks.map((subtask) => subtask.syncDurationMs), 50)) },
    asyncMs: { p50: round(percentile(subtasks.map((subtask) => subtask.asyncDurationMs), 50)) },
    persistedInFlightBytes: { p50: percentile(persisted, 50), max: Math.max(0, ...persisted) },
    checkpointedBytes: {
      p50: percentile(completed.map((checkpoint) => checkpoint.checkpointedBytes), 50),
      rawP50: percentile(completed.map((checkpoint) => checkpoint.rawBytes), 50),
    },
  };
}

/** Runs one job and measures it. Checkpoints go to a fresh temporary directory, removed after. */
export async function runJob(spec: JobSpec): Promise<BenchRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-'));
  try {
    const pipeline = new Pipeline({ name: `bench-${spec.scenario}`, parallelism: spec.parallelism, channelBytes: spec.channelBytes });
    spec.build(pipeline);
    const checkpoints: CheckpointOptions | undefined =
      spec.mode === 'off'
        ? undefined
        : {
            mode: spec.mode,
            intervalMs: spec.checkpointIntervalMs,
            timeoutMs: 60_000,
            dir,
            ...(spec.mode === 'aligned-timeout' ? { alignmentTimeoutMs: spec.alignmentTimeoutMs } : {}),
          };
    const startedEpoch = Date.now();
    const startedMs = nowNanos() / 1e6;
    let failedAtMs: number | undefined;
    const result: JobResult = await pipeline.execute({
      checkpoints,
      ...(spec.debloatTargetMs === undefined ? {} : { debloatTargetMs: spec.debloatTargetMs }),
      faults: spec.faults,
      restart: spec.restart,
      onEvent: (event) => {
        if (event.type === 'failed') failedAtMs ??= nowNanos() / 1e6;
      },
    });
    const sinks = (result.sinks['sink'] ?? []) as LatencySinkResult[];
    const latency = new LatencyHistogram();
    let records = 0;
    for (const part of sinks) {
      latency.merge(LatencyHistogram.fromJSON(part.latency));
      records += part.records;
    }
    const summary = latency.summary('ms');
    const measured = result.checkpoints.filter((checkpoint) => checkpoint.triggerTimestamp - startedEpoch >= spec.warmupMs);
    const firstAfterRestore = Math.min(...sinks.map((part) => part.firstRecordMs ?? Infinity));
    const run: BenchRun = {
      scenario: spec.scenario,
      mode: spec.mode,
      channelBytes: spec.channelBytes,
      parallelism: spec.parallelism,
      durationMs: round(result.durationMs, 1),
      records,
      throughputRecordsPerSec: Math.round(records / (result.durationMs / 1000)),
      latencyMs: { p50: round(summary.p50), p99: round(summary.p99), p999: round(summary.p999), max: round(summary.max) },
      checkpoints: checkpointFigures(result.checkpoints, measured),
      ...(spec.faults
        ? {
            recoveryMs: failedAtMs !== undefined && Number.isFinite(firstAfterRestore) ? round(firstAfterRestore - failedAtMs, 1) : undefined,
            replayedRecords: result.replayedRecords,
          }
        : {}),
      ...(spec.reference ? { reference: spec.reference } : {}),
      ...(spec.timeline ? { timeline: timelineOf(sinks, result.checkpoints, startedMs, startedEpoch) } : {}),
    };
    return run;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function timelineOf(
  sinks: readonly LatencySinkResult[],
  checkpoints: readonly CheckpointStatistics[],
  startedMs: number,
  startedEpoch: number,
): NonNullable<BenchRun['timeline']> {
  const intervals = new Map<number, LatencyHistogram>();
  for (const part of sinks) {
    for (const [start, json] of part.timeline) {
      const histogram = intervals.get(start) ?? new LatencyHistogram();
      histogram.merge(LatencyHistogram.fromJSON(json));
      intervals.set(start, histogram);
    }
  }
  const latency = [...intervals]
    .sort((a, b) => a[0] - b[0])
    .map(([start, histogram]) => [round(start - startedMs, 1), round(histogram.percentile(50) / 1e6), round(histogram.percentile(99) / 1e6)] as const);
  return {
    latency,
    checkpoints: checkpoints.map((checkpoint) => ({
      id: checkpoint.id,
      startMs: round(checkpoint.triggerTimestamp - startedEpoch, 1),
      endMs: round(checkpoint.triggerTimestamp - startedEpoch + checkpoint.endToEndDurationMs, 1),
      // Still in progress when the run ended: not a failure, as the table's count says.
      status: checkpoint.status === 'failed' && DISCARDED_AT_END.test(checkpoint.failureReason ?? '') ? ('discarded' as const) : checkpoint.status,
    })),
  };
}
