import type { Pipeline } from '../api/pipeline.js';
import { numericRecords } from '../api/specs.js';
import { benchSource, costlySum, latencySink, passThrough } from './bench-ops.js';
import type { JobSpec } from './run-job.js';
import type { Mode, Scenario } from './report/report-types.js';

const RECORDS = numericRecords(3);

/** What a bench invocation sweeps. */
export interface BenchPlan {
  readonly scenarios: readonly Scenario[];
  readonly modes: readonly Mode[];
  /** Channel capacities of the backpressure sweep. */
  readonly channelBytes: readonly number[];
  /** How long the sources of a timed run emit, in ms. */
  readonly durationMs: number;
  /** Channel capacity of the flink-ctb scenario. */
  readonly ctbChannelBytes: number;
  /** Debloating target of the other scenarios' runs, when given (flink-ctb keeps Flink's 300 ms). */
  readonly debloatTargetMs?: number | 'off';
  /** Parallelism of the flink-ctb scenario (Flink's: 4). */
  readonly ctbParallelism: number;
  /** Milliseconds the flink-ctb sink sleeps per record (Flink's: 1). */
  readonly ctbSinkSleepMs: number;
}

/** Flink's published CheckpointingTimeBenchmark figures, per mode. */
const FLINK_CTB: Partial<Record<Mode, { label: string; durationMs: number }>> = {
  aligned: { label: "Flink CheckpointingTimeBenchmark, aligned", durationMs: 878.7 },
  unaligned: { label: "Flink CheckpointingTimeBenchmark, unaligned", durationMs: 2.47 },
};

function sink(pipeline: ReturnType<Pipeline['source']>, options: { sleepMs?: number; parallelism?: number; slotSharingGroup?: string }): void {
  pipeline.sink(
    { fn: latencySink, options: { sleepMs: options.sleepMs, intervalMs: 100 }, name: 'sink' },
    { name: 'sink', parallelism: options.parallelism, ...(options.slotSharingGroup === undefined ? {} : { slotSharingGroup: options.slotSharingGroup }) },
  );
}

/**
 * `backpressure`: generator -> keyBy -> keyed sum costing 1 us per record (slower than the
 * source, so the channels fill) -> latency sink, at parallelism 2, per channel capacity.
 */
function backpressure(mode: Mode, channelBytes: number, plan: BenchPlan): JobSpec {
  // Larger channels hold more queued data, so aligned checkpoints take longer: the run grows
  // with the capacity so that several of them complete (1x at 64 KiB, 1.8x at 1 MiB, 2.4x at 8 MiB).
  const scale = 1 + 0.2 * Math.max(0, Math.log2(channelBytes / (64 << 10)));
  return {
    scenario: 'backpressure',
    mode,
    channelBytes,
    parallelism: 2,
    checkpointIntervalMs: 300,
    alignmentTimeoutMs: 20,
    warmupMs: 500,
    timeline: true,
    build: (pipeline) => {
      const stream = pipeline
        .source({ fn: benchSource, options: { durationMs: Math.round(plan.durationMs * scale), keys: 1000 }, name: 'generator', shape: RECORDS }, {
          name: 'generator',
        })
        .keyBy(1)
        .process(costlySum, { name: 'keyed-sum', options: { costMicros: 1 }, returns: RECORDS });
      sink(stream, {});
    },
  };
}

/** Debloating target of flink-ctb, as Flink's CheckpointingTimeBenchmark sets it. */
const CTB_DEBLOAT_TARGET_MS = 300;

/**
 * `flink-ctb`, as Flink's CheckpointingTimeBenchmark measures it: parallelism 4, source ->
 * rebalance -> map -> rebalance -> sink sleeping 1 ms per record, buffer debloating on with a
 * 300 ms target; 64-byte records for aligned checkpoints and 1 KiB records for unaligned ones
 * (and unaligned with a 1 ms alignment timeout: the aligned-timeout mode). The sink is in a slot
 * sharing group of its own: Flink runs every task on a thread of its own, so its sleeping sink
 * never holds up the source or map; in one group, the sink's sleep would block the source and
 * map subtasks of its thread too (and the barriers they pass on).
 */
function flinkCtb(mode: Mode, plan: BenchPlan): JobSpec {
  const aligned = mode === 'aligned';
  const arity = aligned ? 8 : 128;
  const records = numericRecords(arity);
  return {
    scenario: 'flink-ctb',
    mode,
    channelBytes: plan.ctbChannelBytes,
    parallelism: plan.ctbParallelism,
    // The first trigger comes once the sinks' inputs are full (Flink measures under established
    // backpressure); with debloating an aligned checkpoint takes about the target, so the
    // interval leaves room for a few.
    checkpointIntervalMs: aligned ? 1000 : 200,
    alignmentTimeoutMs: 1,
    warmupMs: 900,
    debloatTargetMs: CTB_DEBLOAT_TARGET_MS,
    reference: FLINK_CTB[mode],
    build: (pipeline) => {
      const stream = pipeline
        .source(
          { fn: benchSource, options: { durationMs: Math.max(plan.durationMs * 3, 7500), keys: 1000, arity }, name: 'source', shape: records },
          { name: 'source' },
        )
        .rebalance()
        .map(passThrough, { name: 'map', returns: records })
        .rebalance();
      sink(stream, { sleepMs: plan.ctbSinkSleepMs, slotSharingGroup: 'sleeping-sink' });
    },
  };
}

/** `throughput`: no backpressure; a checkpoint every 100 ms against none. */
function throughput(mode: Mode, plan: BenchPlan): JobSpec {
  return {
    scenario: 'throughput',
    mode,
    channelBytes: 1 << 20,
    parallelism: 2,
    checkpointIntervalMs: 100,
    alignmentTimeoutMs: 20,
    warmupMs: 0,
    build: (pipeline) => {
      const stream = pipeline
        // Timed, not counted: at millions of records a second a fixed count ends before enough checkpoints.
        .source({ fn: benchSource, options: { durationMs: plan.durationMs, keys: 1000 }, name: 'generator', shape: RECORDS }, { name: 'generator' })
        .keyBy(1)
        .process(costlySum, { name: 'keyed-sum', options: { costMicros: 0 }, returns: RECORDS });
      sink(stream, {});
    },
  };
}

/** `recovery`: the backpressure job at 1 MiB with one injected failure, restarted from its latest checkpoint. */
function recovery(mode: Mode, plan: BenchPlan): JobSpec {
  const base = backpressure(mode, 1 << 20, plan);
  return {
    ...base,
    scenario: 'recovery',
    timeline: false,
    faults: [{ operator: 'keyed-sum', subtask: 0, kind: 'throw', atCheckpoint: { phase: 'after-snapshot', checkpointId: 3 } }],
    restart: { type: 'fixed-delay', attempts: 1, delayMs: 0 },
  };
}

/** Every job of a plan, in the order they run. */
export function planJobs(plan: BenchPlan): JobSpec[] {
  const target = plan.debloatTargetMs;
  return scenarioJobs(plan).map((job) => (target === undefined || job.scenario === 'flink-ctb' ? job : { ...job, debloatTargetMs: target }));
}

function scenarioJobs(plan: BenchPlan): JobSpec[] {
  const jobs: JobSpec[] = [];
  const checkpointing = plan.modes.filter((mode) => mode !== 'off');
  for (const scenario of plan.scenarios) {
    switch (scenario) {
      case 'backpressure':
        for (const channelBytes of plan.channelBytes) for (const mode of plan.modes) jobs.push(backpressure(mode, channelBytes, plan));
        break;
      case 'flink-ctb':
        for (const mode of checkpointing.filter((m) => m === 'aligned' || m === 'unaligned' || m === 'aligned-timeout')) jobs.push(flinkCtb(mode, plan));
        break;
      case 'throughput':
        for (const mode of plan.modes) jobs.push(throughput(mode, plan));
        break;
      case 'recovery':
        for (const mode of checkpointing) jobs.push(recovery(mode, plan));
        break;
    }
  }
  return jobs;
}
