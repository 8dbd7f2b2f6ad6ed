/**
 * The document `sluice bench` produces: what ran, where, and what each run measured. The runner
 * writes it as report.json; the renderers in this folder turn it into the stdout table,
 * report.md and report.html. Checkpoint figures use Flink's names and meaning (see the legend).
 */

import type { BenchEntry, BenchMode, BenchResult, MachineInfo } from '../lib/index.js';

/** How a run took checkpoints; `off` is the baseline without checkpoints. */
export type Mode = BenchMode;

/** The scenarios `sluice bench` runs. */
export type Scenario = 'backpressure' | 'flink-ctb' | 'throughput' | 'recovery';

/** Percentiles of one quantity over a run's completed checkpoints. */
export interface Stat {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Checkpoint statistics of one run, over its completed checkpoints (Flink's names). */
export interface RunCheckpoints {
  readonly completed: number;
  readonly failed: number;
  /** Trigger to completion (Flink's end-to-end duration). */
  readonly durationMs: Stat;
  /** First to last barrier at a subtask (aligned), or first barrier to the snapshot. */
  readonly alignmentMs: { readonly p50: number; readonly max: number };
  /**
   * Trigger to the first barrier at a subtask, for the subtask that got it last in each checkpoint
   * (so it grows with the data queued ahead of an aligned barrier); p50 over the checkpoints.
   */
  readonly startDelayMs: { readonly p50: number };
  /** Synchronous phase on the subtask's thread. */
  readonly syncMs: { readonly p50: number };
  /** Asynchronous phase: compression, checksum, write, fsync. */
  readonly asyncMs: { readonly p50: number };
  /** In-flight data written as channel state (unaligned checkpoints only). */
  readonly persistedInFlightBytes: { readonly p50: number; readonly max: number };
  /** Bytes on disk (compressed) and before compression. */
  readonly checkpointedBytes: { readonly p50: number; readonly rawP50: number };
}

/** A published figure to compare a run with, e.g. Flink's CheckpointingTimeBenchmark for this mode. */
export interface RunReference {
  readonly label: string;
  readonly durationMs: number;
}

/** Latency percentiles over one interval of a run: `[tMs, p50Ms, p99Ms]`, t from the run's start. */
export type LatencySample = readonly [tMs: number, p50Ms: number, p99Ms: number];

/** One checkpoint on a run's timeline, times in ms from the run's start. */
export interface TimelineCheckpoint {
  readonly id: number;
  readonly startMs: number;
  readonly endMs: number;
  /** `discarded`: still in progress when the run (or its attempt) ended; not a failure, and not counted as one. */
  readonly status: 'completed' | 'failed' | 'discarded';
}

/** What happened over a run's time: latency per interval and each checkpoint's span. */
export interface RunTimeline {
  readonly latency: readonly LatencySample[];
  readonly checkpoints: readonly TimelineCheckpoint[];
}

/** One scenario run in one mode with one channel capacity and parallelism. */
export interface BenchRun {
  readonly scenario: Scenario;
  readonly mode: Mode;
  /** Capacity of each channel's ring, in bytes. */
  readonly channelBytes: number;
  readonly parallelism: number;
  readonly durationMs: number;
  readonly records: number;
  readonly throughputRecordsPerSec: number;
  /** End-to-end record latency, source to sink. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly checkpoints: RunCheckpoints;
  /** Failure to first record processed after the restore (recovery scenario). */
  readonly recoveryMs?: number;
  /**
   * Records processed from restored in-flight data (the channel state of an unaligned checkpoint)
   * after the restore (recovery scenario). Records the sources read again are not counted.
   */
  readonly replayedRecords?: number;
  readonly reference?: RunReference;
  readonly timeline?: RunTimeline;
}

/** One tinybench result (an entry of the bench result schema). */
export type MicroResult = BenchEntry;

/** The machine a report was measured on. */
export type BenchMachine = MachineInfo;

/** Everything one `sluice bench` invocation measured, with the context to read it. */
export interface BenchReport extends BenchResult {
  readonly tool: 'sluice bench';
  readonly version: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** The options used: scenarios, modes, duration, channel sizes… */
  readonly options: Readonly<Record<string, unknown>>;
  readonly runs: readonly BenchRun[];
  /** The micro-benchmark results (`--micro`); empty without. */
  readonly entries: readonly MicroResult[];
  /** Free-text remarks, e.g. targets and what bounds them. */
  readonly notes?: readonly string[];
}
