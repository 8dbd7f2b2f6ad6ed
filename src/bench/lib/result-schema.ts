/**
 * The one result schema of sluice's benchmarks: the run's context (machine, Node version, git
 * revision) and its entries, each in github-action-benchmark's `customBiggerIsBetter` shape.
 * `sluice bench` writes it (with its runs next to the entries); so does every script in bench/.
 */
import type { RunContext } from './run-context.js';

/** One measured quantity. */
export interface BenchEntry {
  /** Slash-separated, e.g. `sluice/64B/batched` or `snapshot/zstd-1/compress`. */
  readonly name: string;
  /** `msgs/s`, `MB/s`, or `x` for a ratio. */
  readonly unit: string;
  /** Median of the samples. */
  readonly value: number;
  /** Smallest and largest sample, `min..max`. */
  readonly range: string;
  /** Repetitions, spread and derived figures, for a human reader. */
  readonly extra?: string;
}

/** A benchmark's result: where it ran and what it measured. */
export interface BenchResult extends RunContext {
  readonly entries: readonly BenchEntry[];
}
