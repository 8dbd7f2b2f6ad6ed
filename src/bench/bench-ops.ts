/**
 * The operators of `sluice bench`'s scenarios. Records are numeric `[seq, key, value]` on the
 * fixed-layout fast path.
 */
import type { Collector, KeyedContext } from '../api/context.js';
import { defineMap, defineProcess, defineSink, defineSource } from '../api/functions.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import { nowNanos } from '../runtime/record-context.js';

/** Options of {@link benchSource}. */
export interface BenchSourceOptions {
  /** Stop emitting after this long (from open; a restored subtask gets the rest of it). */
  readonly durationMs: number;
  /** Stop after this many records over all subtasks (default: no limit). */
  readonly count?: number;
  readonly keys: number;
  /** Numbers per record (float64 each: 8 bytes per number on the wire); default 3, `[seq, key, 1]`. */
  readonly arity?: number;
}

/** Where a bench source subtask is: the next sequence number and the time it has run. */
interface BenchSourcePosition {
  readonly seq: number;
  readonly elapsedMs: number;
}

/** A numeric source that runs for a duration (or a count), replayable from its position. */
export const benchSource = defineSource(import.meta, (options: BenchSourceOptions) => {
  let seq = 0;
  let step = 1;
  let startedAt = 0;
  let elapsedBefore = 0;
  const limit = options.count ?? Number.MAX_SAFE_INTEGER;
  return {
    open(ctx, restored: unknown) {
      step = ctx.parallelism;
      const position = restored as BenchSourcePosition | undefined;
      seq = position?.seq ?? ctx.subtaskIndex;
      elapsedBefore = position?.elapsedMs ?? 0;
      startedAt = performance.now();
    },
    poll(out: Collector<number[]>, budget: number) {
      if (seq >= limit || elapsedBefore + performance.now() - startedAt >= options.durationMs) return 'end';
      const keys = options.keys;
      const arity = options.arity ?? 3;
      for (let i = 0; i < budget && seq < limit; i++) {
        if (arity === 3) {
          out.collect([seq, seq % keys, 1]);
        } else {
          const record = new Array<number>(arity).fill(0);
          record[0] = seq;
          record[1] = seq % keys;
          record[2] = 1;
          out.collect(record);
        }
        seq += step;
      }
      return 'more';
    },
    position(): BenchSourcePosition {
      return { seq, elapsedMs: elapsedBefore + performance.now() - startedAt };
    },
  };
});

/** Busy-waits `micros` microseconds: the cost of a record in a CPU-bound operator. */
function spend(micros: number): void {
  if (micros <= 0) return;
  const until = performance.now() + micros / 1000;
  while (performance.now() < until) {
    // an operator's work
  }
}

/** A keyed running sum with a configurable CPU cost per record. */
export const costlySum = defineProcess(import.meta, {
  processElement(record: number[], ctx: KeyedContext<{ costMicros: number }>, out: Collector<number[]>) {
    spend(ctx.options.costMicros);
    const sum = ctx.valueState<number>('sum');
    const next = (sum.value() ?? 0) + record[2]!;
    sum.update(next);
    out.collect([record[0]!, record[1]!, next]);
  },
});

/** Passes records on (the map of Flink's CheckpointingTimeBenchmark). */
export const passThrough = defineMap(import.meta, (record: number[]) => record);

/** Options of {@link latencySink}. */
export interface LatencySinkOptions {
  /** Sleep this long per record, in ms (Flink's CheckpointingTimeBenchmark sink sleeps 1 ms). */
  readonly sleepMs?: number;
  /** Width of the timeline's intervals, in ms. */
  readonly intervalMs: number;
}

/** What a latency sink subtask reports. */
export interface LatencySinkResult {
  readonly records: number;
  readonly latency: ReturnType<LatencyHistogram['toJSON']>;
  /** Per interval (start on the hrtime clock, in ms): the latency histogram of its records. */
  readonly timeline: Array<[number, ReturnType<LatencyHistogram['toJSON']>]>;
  /** When this attempt's first record arrived (hrtime ms), for recovery time. */
  readonly firstRecordMs: number | undefined;
}

/** Records end-to-end latency overall and per interval; optionally sleeps per record. */
export const latencySink = defineSink(import.meta, (options: LatencySinkOptions) => {
  const total = new LatencyHistogram();
  const intervals = new Map<number, LatencyHistogram>();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const intervalNanos = options.intervalMs * 1e6;
  let records = 0;
  let firstRecordMs: number | undefined;
  let current: LatencyHistogram | undefined;
  let currentEnd = 0;
  return {
    write(_record: unknown, ingestNanos: number) {
      if (options.sleepMs) Atomics.wait(pause, 0, 0, options.sleepMs);
      const now = nowNanos();
      firstRecordMs ??= now / 1e6;
      records++;
      const latency = now - ingestNanos;
      total.record(latency);
      if (now >= currentEnd || current === undefined) {
        const start = Math.floor(now / intervalNanos) * intervalNanos;
        current = intervals.get(start);
        if (!current) intervals.set(start, (current = new LatencyHistogram()));
        currentEnd = start + intervalNanos;
      }
      current.record(latency);
    },
    finish(): LatencySinkResult {
      return {
        records,
        latency: total.toJSON(),
        timeline: [...intervals].map(([start, histogram]) => [start / 1e6, histogram.toJSON()]),
        firstRecordMs,
      };
    },
  };
});
