/**
 * Axis scales: linear (with ticks at round numbers, or round numbers of KiB/MiB for bytes) and
 * logarithmic (ticks at powers of ten, or at given values such as channel capacities). Every
 * scale maps any input to a finite position: values at or below a log scale's floor sit on it.
 */

/** A mapping from data values to pixel positions, with its ticks. */
export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  readonly ticks: readonly number[];
  /** The pixel position of a value; clamped to the range. */
  map(value: number): number;
}

/** How tick values are chosen on a linear scale. */
export type TickBase = 'decimal' | 'binary';

function makeScale(
  kind: 'linear' | 'log',
  domain: readonly [number, number],
  range: readonly [number, number],
  ticks: readonly number[],
): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const transform = kind === 'log' ? (value: number) => Math.log(value) : (value: number) => value;
  const t0 = transform(d0);
  const t1 = transform(d1);
  return {
    kind,
    domain,
    range,
    ticks,
    map(value: number): number {
      if (!Number.isFinite(value)) return r0;
      if (kind === 'log' && value <= d0) return r0;
      const fraction = t1 === t0 ? 0.5 : (transform(value) - t0) / (t1 - t0);
      return r0 + Math.min(1, Math.max(0, fraction)) * (r1 - r0);
    },
  };
}

/** A round step near `raw`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * A linear scale from 0 (or the smallest value, if negative) to a round number above `max`,
 * with about `tickCount` ticks; `binary` ticks are round numbers of KiB, MiB, GiB.
 */
export function linearScale(
  max: number,
  range: readonly [number, number],
  options: { tickCount?: number; base?: TickBase; min?: number } = {},
): Scale {
  const tickCount = options.tickCount ?? 5;
  const low = Math.min(0, options.min ?? 0);
  const binary = options.base === 'binary';
  const high = Number.isFinite(max) && max > low ? max : low + (binary ? 1024 : 1);
  let unit = 1;
  if (binary) while (unit * 1024 <= high) unit *= 1024;
  const raw = (high - low) / unit / tickCount;
  // Below one binary unit, quarters and halves of it: 256 B, 512 B, 768 B, 1 KiB.
  const fraction = binary && raw < 1 ? (raw <= 0.25 ? 0.25 : raw <= 0.5 ? 0.5 : 1) : niceStep(raw);
  const step = Math.max(fraction * unit, binary ? 1 : 0);
  const start = Math.floor(low / step) * step;
  const end = Math.ceil(high / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let index = 0; start + index * step <= end + step * 1e-9; index += 1) ticks.push(start + index * step);
  return makeScale('linear', [start, end], range, ticks);
}

/**
 * A log-10 scale over whole decades covering the positive values in `[min, max]`, ticks at
 * powers of ten (and at 2 and 5 times them when the scale spans two decades or fewer).
 */
export function logScale(min: number, max: number, range: readonly [number, number]): Scale {
  const low = 10 ** Math.floor(Math.log10(min > 0 && Number.isFinite(min) ? min : 1));
  let high = 10 ** Math.ceil(Math.log10(max > 0 && Number.isFinite(max) ? max : 1));
  if (high <= low) high = low * 10;
  const decades = Math.round(Math.log10(high / low));
  const ticks: number[] = [];
  for (let decade = 0; decade <= decades; decade += 1) {
    const power = low * 10 ** decade;
    ticks.push(power);
    if (decades <= 2 && decade < decades) ticks.push(power * 2, power * 5);
  }
  return makeScale(
    'log',
    [low, high],
    range,
    ticks.map((tick) => Number(tick.toPrecision(12))),
  );
}

/**
 * A log scale whose ticks are the given values (channel capacities, say), with half a step of
 * room either side; a single value gets a factor of two either side.
 */
export function logScaleAt(values: readonly number[], range: readonly [number, number]): Scale {
  const positive = [...new Set(values.filter((value) => value > 0 && Number.isFinite(value)))].sort((a, b) => a - b);
  if (positive.length === 0) return makeScale('log', [1, 10], range, []);
  const first = positive[0]!;
  const last = positive.at(-1)!;
  const padding = positive.length === 1 ? 2 : Math.min(4, Math.max(1.4, (last / first) ** (0.5 / (positive.length - 1))));
  return makeScale('log', [first / padding, last * padding], range, positive);
}

/** Whether values spread over enough orders of magnitude that a linear axis would hide the small ones. */
export function needsLogScale(values: readonly number[], threshold = 30): boolean {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) > threshold;
}

/** A value scale for `values`: log when {@link needsLogScale} (or asked), else linear from zero. */
export function valueScale(
  values: readonly number[],
  range: readonly [number, number],
  options: { scale?: 'auto' | 'linear' | 'log'; base?: TickBase } = {},
): Scale {
  const finite = values.filter((value) => Number.isFinite(value));
  const positive = finite.filter((value) => value > 0);
  const wantLog = options.scale === 'log' || (options.scale !== 'linear' && needsLogScale(finite));
  if (wantLog && positive.length > 0) return logScale(Math.min(...positive), Math.max(...positive), range);
  return linearScale(finite.length > 0 ? Math.max(...finite) : 1, range, {
    base: options.base,
    min: finite.length > 0 ? Math.min(...finite) : 0,
  });
}
