/**
 * What the scripts in bench/ share beyond sluice's bench library (src/bench/lib, which also
 * serves `sluice bench`): the JSON file under bench/results/, the Markdown table on stdout and
 * progress lines. The context, schema, statistics and formatting come from the library.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, runContext } from '../src/bench/lib/index.js';
import type { BenchEntry, BenchResult, RunContext } from '../src/bench/lib/index.js';

export type { MachineInfo, Summary } from '../src/bench/lib/index.js';
export { entry, formatPercent, formatSI, gitDirty, gitRevision, machineInfo, summarize } from '../src/bench/lib/index.js';

/** One entry of the result schema (github-action-benchmark's `customBiggerIsBetter` shape). */
export type BenchmarkEntry = BenchEntry;

/** Where and when a benchmark ran. */
export type ReportContext = RunContext;

/** The JSON file a benchmark writes to bench/results/: the one result schema, plus what else the script keeps (its parameters). */
export interface BenchmarkReport extends BenchResult {
  readonly [key: string]: unknown;
}

/** The repository's root directory. */
export function repositoryRoot(): string {
  return packageRoot();
}

/** The context of this run, ready to receive `entries`. */
export function reportContext(): ReportContext {
  return runContext();
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
