/**
 * A sink that drops records, counting them and recording their end-to-end latency: the sink
 * of benchmarks.
 */
import { defineSink } from '../api/functions.js';
import type { SinkContext, SinkFunction } from '../api/functions.js';
import type { SinkSpec } from '../api/specs.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import type { LatencyHistogramJSON } from '../metrics/histogram.js';
import type { RestorableSinkFunction } from './restorable-sink.js';

/** What a discard sink subtask's `finish()` returns; also its checkpointed state. */
export interface DiscardSinkResult {
  /** Records received. */
  readonly records: number;
  /** End-to-end latency of those records (ns), from source emission to this sink. */
  readonly latency: LatencyHistogramJSON;
}

/** One subtask of the discard sink. */
class DiscardSinkSubtask implements RestorableSinkFunction<unknown, DiscardSinkResult, DiscardSinkResult> {
  #records = 0;
  #latency = new LatencyHistogram();

  open(_ctx: SinkContext, restoredState?: DiscardSinkResult): void {
    if (restoredState !== undefined) {
      this.#records = restoredState.records;
      this.#latency = LatencyHistogram.fromJSON(restoredState.latency);
    }
  }

  /** Restored at another parallelism: the counts and histograms of the old subtasks taken over, merged. */
  rescaleState(_ctx: SinkContext, previous: ReadonlyArray<{ readonly subtask: number; readonly state: unknown }>): DiscardSinkResult | undefined {
    const states = previous.map(({ state }) => state as DiscardSinkResult | undefined).filter((state) => state !== undefined);
    if (states.length === 0) return undefined;
    const latency = new LatencyHistogram();
    for (const state of states) latency.merge(LatencyHistogram.fromJSON(state.latency));
    return { records: states.reduce((sum, state) => sum + state.records, 0), latency: latency.toJSON() };
  }

  write(_record: unknown, ingestNanos: number): void {
    // process.hrtime() allocates a pair, but it is the clock ingestNanos comes from and the
    // cheapest reading of it measured here (performance.now() is no faster, and is offset
    // from it per thread; hrtime.bigint() is slower).
    const now = process.hrtime();
    this.#latency.record(now[0] * 1e9 + now[1] - ingestNanos);
    this.#records++;
  }

  snapshotState(): DiscardSinkResult {
    return this.finish();
  }

  finish(): DiscardSinkResult {
    return { records: this.#records, latency: this.#latency.toJSON() };
  }

  close(): void {}
}

/** The discard sink's definition; the runtime instantiates it in each subtask's worker. */
export const discardSinkDefinition = defineSink(
  import.meta,
  (_options: unknown): SinkFunction<unknown> => new DiscardSinkSubtask(),
);

/**
 * A sink that drops records; each subtask's part of the job result is a
 * {@link DiscardSinkResult}: the record count and a latency histogram (merge them with
 * `LatencyHistogram.fromJSON(part.latency)` and `merge`).
 */
export function discardSink<T = unknown>(): SinkSpec<T> {
  return { fn: discardSinkDefinition, options: null, name: 'discard' };
}
