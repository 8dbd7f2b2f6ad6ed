/**
 * Report helpers shared by every benchmark in bench/: what machine ran it, at which git
 * revision, the statistics of repeated measurements, the JSON file (github-action-benchmark's
 * `customBiggerIsBetter` entries plus the run's context) and the Markdown table on stdout.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The machine a benchmark ran on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly arch: string;
}

/** One entry of github-action-benchmark's `customBiggerIsBetter` format. */
export interface BenchmarkEntry {
  /** `transport/size/mode`, e.g. `sluice/64B/batched`. */
  readonly name: string;
  /** `msgs/s`, `GB/s`, or `x` for a ratio. */
  readonly unit: string;
  /** Median of the repetitions. */
  readonly value: number;
  /** Smallest and largest repetition, `min..max`. */
  readonly range: string;
  /** Repetitions, spread and derived figures, for a human reader. */
  readonly extra: string;
}

/** Where and when a benchmark ran. */
export interface ReportContext {
  readonly machine: MachineInfo;
  readonly node: string;
  readonly gitRevision: string;
  /** Whether tracked files differed from the revision (the revision alone does not describe the code then). */
  readonly gitDirty: boolean | 'unknown';
  readonly date: string;
}

/** The JSON file a benchmark writes to bench/results/. */
export interface BenchmarkReport extends ReportContext {
  readonly results: readonly BenchmarkEntry[];
  /** Anything else the benchmark keeps next to its results (its parameters, for one). */
  readonly [key: string]: unknown;
}

/** Statistics of repeated measurements of one quantity. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** `(max - min) / median`, as a fraction. */
  readonly spread: number;
  readonly samples: readonly number[];
}

/** The repository's root directory, found from this file's place in `dist/bench/`. */
export function repositoryRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

/** The machine running this process. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
  };
}

function git(args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: repositoryRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** `git rev-parse HEAD` of the repository, or `'unknown'` outside a git checkout. */
export function gitRevision(): string {
  return git(['rev-parse', 'HEAD']) ?? 'unknown';
}

/** Whether tracked files differ from HEAD, or `'unknown'` outside a git checkout. */
export function gitDirty(): boolean | 'unknown' {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return status === undefined ? 'unknown' : status.length > 0;
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

/** A `customBiggerIsBetter` entry for a measured quantity. */
export function entry(name: string, unit: string, summary: Summary, extra: string): BenchmarkEntry {
  return {
    name,
    unit,
    value: Number(summary.median.toPrecision(6)),
    range: `${formatSI(summary.min)}..${formatSI(summary.max)}`,
    extra,
  };
}

/** The context of this run, ready to receive `results`. */
export function reportContext(): ReportContext {
  return {
    machine: machineInfo(),
    node: process.version,
    gitRevision: gitRevision(),
    gitDirty: gitDirty(),
    date: new Date().toISOString(),
  };
}

/**
 * Writes `report` as pretty JSON to `relativePath` under the repository root, through a
 * temporary file and a rename so a reader never sees half a file. Returns the absolute path.
 */
export function writeReport(relativePath: string, report: BenchmarkReport): string {
  const target = path.join(repositoryRoot(), relativePath);
  mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, target);
  return target;
}

/** A GitHub-flavoured Markdown table; columns whose header ends with `:` are right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const right = headers.map((header) => header.endsWith(':'));
  const titles = headers.map((header) => (header.endsWith(':') ? header.slice(0, -1) : header));
  const widths = titles.map((title, column) => Math.max(title.length, 3, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (right[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(titles), rule, ...rows.map((row) => line(titles.map((_, column) => row[column] ?? '')))].join('\n');
}

/** Writes a progress line to stderr, prefixed with the benchmark's name and the elapsed time. */
export function progress(benchmark: string, startedAt: number, message: string): void {
  const elapsed = ((performance.now() - startedAt) / 1000).toFixed(1);
  process.stderr.write(`[${benchmark} ${elapsed.padStart(5)}s] ${message}\n`);
}
