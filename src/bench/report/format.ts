/**
 * Number formatting shared by every renderer, so the table, report.md and report.html print
 * the same figure the same way. Every formatter prints {@link MISSING} for a value that is
 * absent or not finite, so no report ever shows NaN, Infinity or undefined.
 */

/** What a cell shows when the run has no such figure (no checkpoints in mode `off`, say). */
export const MISSING = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** The value if it is a finite number, else `undefined`. */
export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `12345.6` → `12,346`: thousands separators, independent of the host's locale. */
export function groupThousands(value: number, fractionDigits = 0): string {
  const fixed = Math.abs(value).toFixed(fractionDigits);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = value < 0 && Number(fixed) !== 0;
  return (negative ? '-' : '') + grouped + (fraction === undefined ? '' : '.' + fraction);
}

/**
 * A duration in milliseconds, without the unit (the column or axis names it), with the
 * precision the magnitude deserves: `0.042`, `2.47`, `12.3`, `879`, `12,345`.
 */
export function formatMs(value: unknown): string {
  const ms = finite(value);
  if (ms === undefined) return MISSING;
  const magnitude = Math.abs(ms);
  if (magnitude === 0) return '0';
  if (magnitude < 0.001) return ms < 0 ? '>-0.001' : '<0.001';
  if (magnitude < 1) {
    const text = String(Number(ms.toPrecision(2)));
    return (text.split('.')[1]?.length ?? 0) < 2 ? ms.toFixed(2) : text;
  }
  if (magnitude < 10) return ms.toFixed(2);
  if (magnitude < 100) return ms.toFixed(1);
  return groupThousands(ms);
}

/** An axis tick: round numbers print without trailing zeros (`1`, `2.5`, `10`, `1,000`). */
export function formatTick(value: unknown): string {
  const tick = finite(value);
  if (tick === undefined) return MISSING;
  if (Math.abs(tick) >= 1000) return groupThousands(tick);
  return String(Number(tick.toPrecision(6)));
}

/** A duration with its unit, scaled for reading: `2.47 ms`, `879 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(value: unknown): string {
  const ms = finite(value);
  if (ms === undefined) return MISSING;
  if (Math.abs(ms) < 10_000) return `${formatMs(ms)} ms`;
  const seconds = ms / 1000;
  if (Math.abs(seconds) < 120) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
}

/** Bytes in binary units with up to three significant digits: `0 B`, `64 KiB`, `1.5 MiB`. */
export function formatBytes(value: unknown): string {
  const bytes = finite(value);
  if (bytes === undefined) return MISSING;
  let scaled = Math.abs(bytes);
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && scaled >= 1024) {
    scaled /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || scaled >= 100 ? String(Math.round(scaled)) : String(Number(scaled.toPrecision(3)));
  return `${bytes < 0 ? '-' : ''}${digits} ${BYTE_UNITS[unit]}`;
}

/** A rate with an SI suffix and three significant digits: `987`, `47.0k`, `1.23M`. */
export function formatRate(value: unknown): string {
  const rate = finite(value);
  if (rate === undefined) return MISSING;
  const magnitude = Math.abs(rate);
  if (magnitude < 10) return rate.toPrecision(2);
  if (magnitude < 999.5) return String(Math.round(rate));
  if (magnitude < 999_500) return `${(rate / 1e3).toPrecision(3)}k`;
  if (magnitude < 999_500_000) return `${(rate / 1e6).toPrecision(3)}M`;
  const billions = rate / 1e9;
  return Math.abs(billions) < 999.5 ? `${billions.toPrecision(3)}G` : `${groupThousands(billions)}G`;
}

/** A count with thousands separators: `1,234,567`. */
export function formatCount(value: unknown): string {
  const count = finite(value);
  return count === undefined ? MISSING : groupThousands(count);
}

/** A ratio: `143x`, `12x`, `1.9x`, `0.9x`, `0.05x`. */
export function formatRatio(value: unknown): string {
  const ratio = finite(value);
  if (ratio === undefined) return MISSING;
  const magnitude = Math.abs(ratio);
  if (magnitude >= 9.95) return `${groupThousands(ratio)}x`;
  if (magnitude >= 0.095) return `${ratio.toFixed(1)}x`;
  if (magnitude === 0) return '0x';
  if (magnitude < 0.01) return ratio < 0 ? '>-0.01x' : '<0.01x';
  return `${ratio.toPrecision(1)}x`;
}
