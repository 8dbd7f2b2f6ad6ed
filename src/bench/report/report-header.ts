import { formatBytes, formatDuration, MISSING } from './format.js';
import type { BenchReport } from './report-types.js';

/** Label and value pairs describing where and when a report was measured. */
export type HeaderFact = readonly [label: string, value: string];

/** `2025-06-01 12:00:05 UTC` from an ISO timestamp; the input unchanged when it does not parse. */
export function formatTimestamp(iso: string): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return String(iso);
  return new Date(time)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** The git revision shortened to 12 characters, keeping any `-dirty` suffix. */
export function shortRevision(revision: string): string {
  const text = String(revision ?? 'unknown');
  const match = /^([0-9a-f]{12})[0-9a-f]{28}(.*)$/i.exec(text);
  return match ? match[1]! + match[2]! : text;
}

/** What every output prints under its title: when, how long, on what, with which Node and code. */
export function headerFacts(report: BenchReport): HeaderFact[] {
  const machine = report.machine;
  return [
    ['started', formatTimestamp(report.startedAt)],
    ['duration', formatDuration(report.durationMs)],
    [
      'machine',
      `${machine?.cpuModel ?? 'unknown CPU'}, ${machine?.cores === 1 ? '1 core' : `${machine?.cores ?? '?'} cores`}, ${machine?.memoryGiB ?? '?'} GiB`,
    ],
    ['platform', `${machine?.platform ?? '?'} ${machine?.arch ?? ''}`.trim()],
    ['node', String(report.node ?? 'unknown')],
    ['git', shortRevision(report.gitRevision)],
  ];
}

/**
 * An option's value as one line: sizes (`…Bytes`) and durations (`…Ms`) in readable units,
 * strings bare, everything else as JSON.
 */
export function formatOptionValue(key: string, value: unknown): string {
  const numbers = Array.isArray(value) && value.every((item) => typeof item === 'number') ? (value as number[]) : undefined;
  const scalar = typeof value === 'number' ? [value] : undefined;
  const figures = numbers ?? scalar;
  if (figures !== undefined && /Bytes$/.test(key)) return figures.map(formatBytes).join(', ');
  if (figures !== undefined && /Ms$/.test(key)) return figures.map(formatDuration).join(', ');
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(', ');
  try {
    return JSON.stringify(value) ?? MISSING;
  } catch {
    return String(value);
  }
}
