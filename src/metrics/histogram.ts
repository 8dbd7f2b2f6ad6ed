/**
 * A log-linear latency histogram in the style of HdrHistogram: O(1), allocation-free recording
 * on a sink's hot path, a compact plain-object form to cross threads, and merging on the main
 * thread.
 *
 * ## Bucket scheme
 *
 * Values are nanoseconds and are bucketed by `Math.floor(value)`. Each power of two
 * `[2^e, 2^(e+1))` with `e ≥ 7` is split into {@link SUB_BUCKETS_PER_OCTAVE} = 128 buckets of
 * equal width `2^(e-7)`; below 256 ns every bucket is 1 ns wide. With `shift = max(0, e - 7)`:
 *
 * | value range (ns)      | bucket width | index                         |
 * |-----------------------|--------------|-------------------------------|
 * | [0, 256)              | 1            | `floor(value)`                |
 * | [2^e, 2^(e+1)), e ≥ 8 | 2^(e-7)      | `shift·128 + floor(value / 2^shift)` |
 *
 * Indices are dense: 0 … 6015 cover 0 ns to {@link HIGHEST_TRACKABLE_NANOS} (2^53 − 1 ns,
 * about 104 days), so the counts take 6016 × 8 bytes = 47 KiB.
 *
 * ## Error bound
 *
 * A bucket `[L, L + W)` has `L ≥ 128·W`, and a percentile reports the middle of the integers
 * the bucket holds, `L + (W − 1)/2`, clamped to `[min, max]`. For the exact nearest-rank
 * percentile `x`:
 *
 * - integer nanosecond values: `|reported − x| ≤ x / 256` (0.39 %), and exact below 256 ns;
 * - fractional values: `|reported − x| < 1 ns + x / 256`.
 *
 * `min`, `max` and `count` are exact; `mean` is the floating-point sum divided by the count.
 */

/** Buckets per power of two above 256 ns: 2^7. */
export const SUB_BUCKETS_PER_OCTAVE = 128;

/** Largest value recorded as a latency: 2^53 − 1 ns (about 104 days); larger values count as invalid. */
export const HIGHEST_TRACKABLE_NANOS = Number.MAX_SAFE_INTEGER;

const SUB_BUCKET_BITS = 7;
/** Values below this are bucketed 1 ns wide: the first two octaves' worth of sub-buckets. */
const LINEAR_LIMIT = 2 * SUB_BUCKETS_PER_OCTAVE;
const INVERSE_TWO_POW_32 = 2 ** -32;
/** `2^-shift`: scaling by a power of two is exact in binary floating point. */
const INVERSE_POWERS_OF_TWO = Float64Array.from({ length: 64 }, (_, shift) => 2 ** -shift);

/**
 * Index of the bucket holding `valueNanos`, for `0 ≤ valueNanos ≤ HIGHEST_TRACKABLE_NANOS`.
 * Values above 2^32 are split into a high word by exact division, so no BigInt is needed.
 */
function bucketIndexOf(valueNanos: number): number {
  if (valueNanos < LINEAR_LIMIT) return Math.floor(valueNanos);
  const high = Math.floor(valueNanos * INVERSE_TWO_POW_32);
  // Math.clz32 truncates its argument to a uint32, which is floor() for 0 ≤ value < 2^32.
  const exponent = high === 0 ? 31 - Math.clz32(valueNanos) : 63 - Math.clz32(high);
  const shift = exponent - SUB_BUCKET_BITS;
  return shift * SUB_BUCKETS_PER_OCTAVE + Math.floor(valueNanos * INVERSE_POWERS_OF_TWO[shift]);
}

/** Number of buckets: indices `0 … LATENCY_BUCKET_COUNT − 1` (6016). */
export const LATENCY_BUCKET_COUNT = bucketIndexOf(HIGHEST_TRACKABLE_NANOS) + 1;

/** The value a percentile reports for a bucket: the middle of the integers it holds. */
function bucketMidpoint(index: number): number {
  if (index < LINEAR_LIMIT) return index;
  const shift = (index >> SUB_BUCKET_BITS) - 1;
  const width = 2 ** shift;
  const lowest = ((index & (SUB_BUCKETS_PER_OCTAVE - 1)) + SUB_BUCKETS_PER_OCTAVE) * width;
  return lowest + (width - 1) / 2;
}

/**
 * 1-based nearest rank `⌈p·n/100⌉`, at least 1. `p·n/100` can land a few ulps above an integer
 * (99.9 · 41000 / 100 = 40959.00000000001), which would skip a rank; the 1e-12 relative
 * tolerance absorbs that and is far above the rounding error of two operations.
 */
function nearestRank(percentile: number, count: number): number {
  const rank = (percentile * count) / 100;
  return Math.max(1, Math.ceil(rank - rank * 1e-12));
}

/** The unit a {@link LatencySummary} is expressed in. */
export type LatencyUnit = 'ms' | 'us' | 'ns';

/** A histogram's headline numbers, from {@link LatencyHistogram.summary}. Empty: NaN except `count`. */
export interface LatencySummary {
  /** Valid values recorded (invalid ones are not included). */
  readonly count: number;
  /** Smallest value recorded, exact. */
  readonly min: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Median. */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** 99.9th percentile. */
  readonly p999: number;
  /** Largest value recorded, exact. */
  readonly max: number;
}

/**
 * The plain-object form of a {@link LatencyHistogram}, from {@link LatencyHistogram.toJSON}:
 * survives `postMessage` and `JSON.stringify` unchanged. Only non-zero buckets are listed.
 */
export interface LatencyHistogramJSON {
  /** Format version of the bucket scheme; currently 1. */
  readonly version: 1;
  /** Indices of the non-zero buckets, strictly increasing. */
  readonly indices: number[];
  /** Count of each bucket in `indices`, all positive integers. */
  readonly counts: number[];
  /** Valid values recorded: the sum of `counts`. */
  readonly count: number;
  /** Invalid values recorded (negative, NaN, infinite or above {@link HIGHEST_TRACKABLE_NANOS}). */
  readonly invalid: number;
  /** Smallest value recorded, in ns; 0 when `count` is 0. */
  readonly min: number;
  /** Largest value recorded, in ns; 0 when `count` is 0. */
  readonly max: number;
  /** Sum of the values recorded, in ns. */
  readonly sum: number;
}

/**
 * A latency histogram in nanoseconds with ≤ 0.39 % relative error (see the module comment for
 * the bucket scheme and the exact bound).
 *
 * ```ts
 * const latency = new LatencyHistogram();            // in the sink worker
 * latency.record(nowNanos - record.ingestedAtNanos); // hot path: no allocation, never throws
 * port.postMessage(latency.toJSON()); latency.reset();
 *
 * const total = new LatencyHistogram();              // on the main thread
 * for (const json of fromSinks) total.merge(LatencyHistogram.fromJSON(json));
 * total.summary('ms');                               // { count, min, mean, p50, …, max }
 * ```
 *
 * Negative, NaN, infinite and too large values are counted in {@link invalid}, not thrown:
 * a clock bug must not take a sink down. Misuse of the API (a percentile outside [0, 100], a
 * negative repeat count, malformed JSON) throws.
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(LATENCY_BUCKET_COUNT);
  #count = 0;
  #invalid = 0;
  #sum = 0;
  /** Infinity while empty, so the first value always replaces it. */
  #min = Infinity;
  /** 0 while empty: every valid value is ≥ 0. */
  #max = 0;

  /**
   * Records one latency. O(1), allocates nothing, never throws: a value that is negative,
   * NaN, infinite or above {@link HIGHEST_TRACKABLE_NANOS} is counted in {@link invalid}.
   */
  record(valueNanos: number): void {
    // Written so that NaN fails the test: every comparison with NaN is false.
    if (!(valueNanos >= 0 && valueNanos <= HIGHEST_TRACKABLE_NANOS)) {
      this.#invalid++;
      return;
    }
    this.#counts[bucketIndexOf(valueNanos)]++;
    this.#count++;
    this.#sum += valueNanos;
    if (valueNanos < this.#min) this.#min = valueNanos + 0; // + 0 turns -0 into 0
    if (valueNanos > this.#max) this.#max = valueNanos;
  }

  /**
   * Records `count` occurrences of one latency, as `count` calls of {@link record} would.
   * An invalid value adds `count` to {@link invalid}.
   *
   * @throws RangeError if `count` is not a non-negative safe integer.
   */
  recordMany(valueNanos: number, count: number): void {
    if (!(Number.isSafeInteger(count) && count >= 0)) {
      throw new RangeError(`LatencyHistogram.recordMany: count must be a non-negative integer, got ${count}`);
    }
    if (count === 0) return;
    if (!(valueNanos >= 0 && valueNanos <= HIGHEST_TRACKABLE_NANOS)) {
      this.#invalid += count;
      return;
    }
    this.#counts[bucketIndexOf(valueNanos)] += count;
    this.#count += count;
    this.#sum += valueNanos * count;
    if (valueNanos < this.#min) this.#min = valueNanos + 0; // + 0 turns -0 into 0
    if (valueNanos > this.#max) this.#max = valueNanos;
  }

  /** Valid values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Invalid values seen (negative, NaN, infinite or above {@link HIGHEST_TRACKABLE_NANOS}). */
  get invalid(): number {
    return this.#invalid;
  }

  /** Smallest value recorded, exact, in ns; NaN when empty. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  /** Largest value recorded, exact, in ns; NaN when empty. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /** Mean of the values recorded, in ns; NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }

  /**
   * The nearest-rank percentile in ns: the smallest recorded value `x` such that at least
   * `p`% of the values are ≤ `x` (rank `⌈p·count/100⌉`, at least 1), reported within
   * `x / 256` for integer values (`1 ns + x / 256` for fractional ones) and never outside
   * `[min, max]`. `percentile(0)` is exactly {@link min}, `percentile(100)` exactly
   * {@link max}. NaN when empty.
   *
   * @param p percentile, from 0 to 100.
   * @throws RangeError if `p` is not a number in [0, 100].
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) {
      throw new RangeError(`LatencyHistogram.percentile: p must be a number from 0 to 100, got ${p}`);
    }
    if (this.#count === 0) return NaN;
    const rank = nearestRank(p, this.#count);
    if (rank === 1) return this.#min;
    if (rank >= this.#count) return this.#max;
    const counts = this.#counts;
    const last = bucketIndexOf(this.#max);
    let seen = 0;
    for (let index = bucketIndexOf(this.#min); index <= last; index++) {
      seen += counts[index];
      if (seen >= rank) return Math.min(Math.max(bucketMidpoint(index), this.#min), this.#max);
    }
    return this.#max; // unreachable: the counts in [min's bucket, max's bucket] sum to count
  }

  /**
   * Headline numbers converted to `unit` (`count` stays a count). Every field but `count`
   * is NaN when the histogram is empty.
   *
   * @throws RangeError if `unit` is not 'ms', 'us' or 'ns'.
   */
  summary(unit: LatencyUnit = 'ms'): LatencySummary {
    const nanosPerUnit = nanosPer(unit);
    return {
      count: this.#count,
      min: this.min / nanosPerUnit,
      mean: this.mean / nanosPerUnit,
      p50: this.percentile(50) / nanosPerUnit,
      p90: this.percentile(90) / nanosPerUnit,
      p99: this.percentile(99) / nanosPerUnit,
      p999: this.percentile(99.9) / nanosPerUnit,
      max: this.max / nanosPerUnit,
    };
  }

  /** Forgets everything recorded, including the invalid count. */
  reset(): void {
    if (this.#count > 0) {
      // Every non-zero bucket lies between min's and max's.
      this.#counts.fill(0, bucketIndexOf(this.#min), bucketIndexOf(this.#max) + 1);
    }
    this.#count = 0;
    this.#invalid = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = 0;
  }

  /**
   * Adds everything `other` recorded to this histogram, as if its values had been recorded
   * here. `other` is unchanged (unless it is this histogram, which then counts everything twice).
   *
   * @returns this histogram.
   */
  merge(other: LatencyHistogram): this {
    if (other.#count > 0) {
      const counts = this.#counts;
      const otherCounts = other.#counts;
      const last = bucketIndexOf(other.#max);
      for (let index = bucketIndexOf(other.#min); index <= last; index++) counts[index] += otherCounts[index];
      this.#count += other.#count;
      this.#sum += other.#sum;
      if (other.#min < this.#min) this.#min = other.#min;
      if (other.#max > this.#max) this.#max = other.#max;
    }
    this.#invalid += other.#invalid;
    return this;
  }

  /** The compact plain-object form: only non-zero buckets, as parallel arrays. */
  toJSON(): LatencyHistogramJSON {
    const indices: number[] = [];
    const counts: number[] = [];
    if (this.#count > 0) {
      const last = bucketIndexOf(this.#max);
      for (let index = bucketIndexOf(this.#min); index <= last; index++) {
        const count = this.#counts[index];
        if (count !== 0) {
          indices.push(index);
          counts.push(count);
        }
      }
    }
    const empty = this.#count === 0;
    return {
      version: 1,
      indices,
      counts,
      count: this.#count,
      invalid: this.#invalid,
      min: empty ? 0 : this.#min,
      max: empty ? 0 : this.#max,
      sum: this.#sum,
    };
  }

  /**
   * Rebuilds a histogram from {@link toJSON}'s output (after `postMessage` or `JSON.parse`).
   * The result equals the original exactly.
   *
   * @throws TypeError naming the first field that is missing, mistyped or inconsistent.
   */
  static fromJSON(json: unknown): LatencyHistogram {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new TypeError(
        `LatencyHistogram.fromJSON: expected the object LatencyHistogram#toJSON() returns, got ${describe(json)}`,
      );
    }
    const fields = json as Record<string, unknown>;
    if (fields.version !== 1) invalidField('version', 'must be 1', fields.version);
    const indices = fields.indices;
    const counts = fields.counts;
    if (!Array.isArray(indices)) invalidField('indices', 'must be an array of bucket indices', indices);
    if (!Array.isArray(counts)) invalidField('counts', 'must be an array of bucket counts', counts);
    if (counts.length !== indices.length) {
      invalidField('counts', `must have as many entries as indices (${indices.length})`, counts);
    }
    let total = 0;
    for (let i = 0; i < indices.length; i++) {
      const index: unknown = indices[i];
      if (!(Number.isInteger(index) && (index as number) >= 0 && (index as number) < LATENCY_BUCKET_COUNT)) {
        invalidField(`indices[${i}]`, `must be an integer from 0 to ${LATENCY_BUCKET_COUNT - 1}`, index);
      }
      if (i > 0 && (index as number) <= indices[i - 1]) {
        invalidField(`indices[${i}]`, `must be greater than indices[${i - 1}] (${indices[i - 1]})`, index);
      }
      const count: unknown = counts[i];
      if (!(Number.isSafeInteger(count) && (count as number) > 0)) {
        invalidField(`counts[${i}]`, 'must be a positive integer', count);
      }
      total += count as number;
    }
    const count = fields.count;
    if (!(Number.isSafeInteger(count) && count === total)) {
      invalidField('count', `must be the sum of counts (${total})`, count);
    }
    const invalid = fields.invalid;
    if (!(Number.isSafeInteger(invalid) && (invalid as number) >= 0)) {
      invalidField('invalid', 'must be a non-negative integer', invalid);
    }
    const { min, max, sum } = fields;
    if (!isTrackable(min)) invalidField('min', `must be a number from 0 to ${HIGHEST_TRACKABLE_NANOS}`, min);
    if (!isTrackable(max)) invalidField('max', `must be a number from 0 to ${HIGHEST_TRACKABLE_NANOS}`, max);
    if (!(typeof sum === 'number' && Number.isFinite(sum) && sum >= 0)) {
      invalidField('sum', 'must be a finite number ≥ 0', sum);
    }
    if (total === 0) {
      if (min !== 0) invalidField('min', 'must be 0 when count is 0', min);
      if (max !== 0) invalidField('max', 'must be 0 when count is 0', max);
      if (sum !== 0) invalidField('sum', 'must be 0 when count is 0', sum);
    } else {
      if (min > max) invalidField('min', `must not exceed max (${max})`, min);
      // Percentiles, reset and merge scan from min's bucket to max's: they must be the ends.
      if (bucketIndexOf(min) !== indices[0]) {
        invalidField('min', `must fall in the first listed bucket (indices[0] = ${indices[0]})`, min);
      }
      if (bucketIndexOf(max) !== indices[indices.length - 1]) {
        invalidField('max', `must fall in the last listed bucket (${indices[indices.length - 1]})`, max);
      }
    }

    const histogram = new LatencyHistogram();
    for (let i = 0; i < indices.length; i++) histogram.#counts[indices[i]] = counts[i];
    histogram.#count = total;
    histogram.#invalid = invalid as number;
    histogram.#sum = sum;
    if (total > 0) {
      histogram.#min = min + 0; // + 0 turns -0 into 0
      histogram.#max = max + 0;
    }
    return histogram;
  }
}

function nanosPer(unit: LatencyUnit): number {
  switch (unit) {
    case 'ms':
      return 1e6;
    case 'us':
      return 1e3;
    case 'ns':
      return 1;
    default:
      throw new RangeError(`LatencyHistogram.summary: unit must be 'ms', 'us' or 'ns', got ${describe(unit)}`);
  }
}

function isTrackable(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= HIGHEST_TRACKABLE_NANOS;
}

function invalidField(field: string, expectation: string, got: unknown): never {
  throw new TypeError(
    `LatencyHistogram.fromJSON: ${field} ${expectation}, got ${describe(got)}; ` +
      'pass the object LatencyHistogram#toJSON() returned, unchanged',
  );
}

/** A short description of a value for an error message, never the whole of a large array. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
