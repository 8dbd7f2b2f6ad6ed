/** Statistics and number formatting shared by every benchmark. */
import type { BenchEntry } from './result-schema.js';

/** Statistics of repeated measurements of one quantity. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** `(max - min) / median`, as a fraction. */
  readonly spread: number;
  readonly samples: readonly number[];
}

/** Median, extremes and relative spread of `samples` (at least one). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize() needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return { median, min, max, spread: median === 0 ? 0 : (max - min) / median, samples: [...samples] };
}

/** A number with three significant digits and an SI suffix: `31.2M`, `845k`, `12.4`. */
export function formatSI(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${(value / 1e9).toPrecision(3)}G`;
  if (magnitude >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (magnitude >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

/** A relative spread as a percentage with one decimal: `3.2%`. */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A power-of-two size in its largest exact binary unit: `64 KiB`, `8 MiB`, `1000 B`. */
export function formatBinarySize(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** An entry for a measured quantity from the summary of its samples. */
export function entry(name: string, unit: string, summary: Summary, extra: string): BenchEntry {
  return {
    name,
    unit,
    value: Number(summary.median.toPrecision(6)),
    range: `${formatSI(summary.min)}..${formatSI(summary.max)}`,
    extra,
  };
}
