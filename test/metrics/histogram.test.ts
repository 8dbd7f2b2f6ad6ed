import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HIGHEST_TRACKABLE_NANOS,
  LATENCY_BUCKET_COUNT,
  LatencyHistogram,
  type LatencyHistogramJSON,
} from '../../src/metrics/index.js';

/**
 * The exact definition the histogram approximates: nearest rank. The percentile is given as
 * `thousandths / 1000` so the rank `⌈p·n/100⌉ = ⌈thousandths·n / 100000⌉` is computed in exact
 * integer arithmetic (both operands are small integers), independently of the histogram's
 * floating-point rank.
 */
function exactPercentile(sorted: readonly number[], thousandths: number): number {
  const rank = Math.max(1, Math.ceil((thousandths * sorted.length) / 100_000));
  return sorted[rank - 1]!;
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Exponent-uniform integers from 0 to 2^44 (> 10^13 ns, 4.9 hours), so every octave gets exercised. */
const logUniformInteger = fc
  .tuple(fc.integer({ min: 0, max: 43 }), fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }))
  .map(([exponent, mantissa]) => Math.floor(2 ** exponent * mantissa));

/** Integers next to powers of two, where the bucket width doubles (both sides of 2^32 included). */
const nearPowerOfTwo = fc
  .tuple(fc.integer({ min: 7, max: 43 }), fc.integer({ min: -2, max: 2 }))
  .map(([exponent, offset]) => 2 ** exponent + offset);

const integerNanos = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 1e13 }),
  logUniformInteger,
  nearPowerOfTwo,
);

/** Reals from subnormal to 10^13, plus the integers above. */
const realNanos = fc.oneof(
  fc.double({ min: 0, max: 1e13, noNaN: true }),
  fc
    .tuple(fc.integer({ min: -20, max: 43 }), fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }))
    .map(([exponent, mantissa]) => 2 ** exponent * mantissa),
  integerNanos,
);

const invalidNanos = fc.constantFrom(-1, -0.5, -1e13, NaN, Infinity, -Infinity, 2 ** 53, 1e300);

/** Percentiles in thousandths: the ones reported, the ends, and random ones. */
const thousandths = fc.oneof(fc.constantFrom(0, 50_000, 90_000, 99_000, 99_900, 100_000), fc.integer({ min: 0, max: 100_000 }));

describe('LatencyHistogram percentiles', () => {
  it('are within x/256 of the exact nearest-rank percentile x for integer values, inside [min, max]', () => {
    fc.assert(
      fc.property(fc.array(integerNanos, { minLength: 1, maxLength: 400 }), fc.array(thousandths, { minLength: 1, maxLength: 8 }), (values, ps) => {
        const histogram = histogramOf(values);
        const sorted = ascending(values);
        for (const p of ps) {
          const exact = exactPercentile(sorted, p);
          const reported = histogram.percentile(p / 1000);
          expect(Math.abs(reported - exact)).toBeLessThanOrEqual(exact / 256);
          expect(reported).toBeGreaterThanOrEqual(sorted[0]!);
          expect(reported).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('are within 1 ns + x/256 of the exact percentile x for fractional and tiny values', () => {
    fc.assert(
      fc.property(fc.array(realNanos, { minLength: 1, maxLength: 400 }), fc.array(thousandths, { minLength: 1, maxLength: 8 }), (values, ps) => {
        const histogram = histogramOf(values);
        const sorted = ascending(values);
        for (const p of ps) {
          const exact = exactPercentile(sorted, p);
          const reported = histogram.percentile(p / 1000);
          expect(Math.abs(reported - exact)).toBeLessThan(1 + exact / 256);
          expect(reported).toBeGreaterThanOrEqual(sorted[0]!);
          expect(reported).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('are exact for integer values below 256 ns, which pins the nearest-rank definition', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 400 }), thousandths, (values, p) => {
        expect(histogramOf(values).percentile(p / 1000)).toBe(exactPercentile(ascending(values), p));
      }),
      { numRuns: 500 },
    );
  });

  it('report a bucket value within the bound for any single value up to the highest trackable', () => {
    // 0 and the highest value around v make the middle rank land on v's bucket without clamping.
    const anyTrackable = fc.oneof(realNanos, fc.double({ min: 0, max: HIGHEST_TRACKABLE_NANOS, noNaN: true }), fc.maxSafeNat());
    fc.assert(
      fc.property(anyTrackable, (value) => {
        const reported = histogramOf([0, value, HIGHEST_TRACKABLE_NANOS]).percentile(50);
        const bound = Number.isInteger(value) ? value / 256 : 1 + value / 256;
        expect(Math.abs(reported - value)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 2000 },
    );
  });

  it('do not decrease as p grows', () => {
    fc.assert(
      fc.property(fc.array(realNanos, { minLength: 1, maxLength: 200 }), thousandths, thousandths, (values, a, b) => {
        const histogram = histogramOf(values);
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(histogram.percentile(low / 1000)).toBeLessThanOrEqual(histogram.percentile(high / 1000));
      }),
    );
  });

  it('use the nearest rank even where p·n/100 rounds above an integer', () => {
    // 99.9 · 41000 / 100 evaluates to 40959.00000000001; the rank is 40959, not 40960.
    const histogram = new LatencyHistogram();
    histogram.recordMany(10, 40_959);
    histogram.recordMany(20, 41);
    expect(histogram.percentile(99.9)).toBe(10);

    const thousand = new LatencyHistogram();
    thousand.recordMany(1, 999);
    thousand.record(2);
    expect(thousand.percentile(99.9)).toBe(1);
    expect(thousand.percentile(99.91)).toBe(2);
  });

  it('are exactly min at p = 0 and exactly max at p = 100', () => {
    const histogram = histogramOf([1_000_003, 5_000_000_007, 123_456_789_012]);
    expect(histogram.percentile(0)).toBe(1_000_003);
    expect(histogram.percentile(100)).toBe(123_456_789_012);
  });

  it('throw a RangeError for p outside [0, 100]', () => {
    const histogram = histogramOf([1]);
    for (const p of [-1, 100.5, NaN, Infinity]) {
      expect(() => histogram.percentile(p)).toThrow(RangeError);
    }
    expect(() => histogram.percentile(-1)).toThrow(/p must be a number from 0 to 100, got -1/);
  });

  it('are NaN on an empty histogram', () => {
    expect(new LatencyHistogram().percentile(50)).toBeNaN();
  });
});

describe('LatencyHistogram statistics', () => {
  it('count, min and max are exact and mean is the sum over the count', () => {
    fc.assert(
      fc.property(fc.array(realNanos, { minLength: 1, maxLength: 400 }), (values) => {
        const histogram = histogramOf(values);
        let sum = 0;
        for (const value of values) sum += value;
        expect(histogram.count).toBe(values.length);
        expect(histogram.min).toBe(Math.min(...values));
        expect(histogram.max).toBe(Math.max(...values));
        expect(histogram.mean).toBe(sum / values.length);
      }),
      { numRuns: 300 },
    );
  });

  it('recordMany(v, n) equals n calls of record(v) for integer values', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(integerNanos, invalidNanos), fc.integer({ min: 0, max: 50 })), { maxLength: 50 }), (pairs) => {
        const many = new LatencyHistogram();
        const single = new LatencyHistogram();
        for (const [value, times] of pairs) {
          many.recordMany(value, times);
          for (let i = 0; i < times; i++) single.record(value);
        }
        expect(many.toJSON()).toEqual(single.toJSON());
      }),
    );
  });

  it('recordMany throws a RangeError for a count that is not a non-negative integer', () => {
    const histogram = new LatencyHistogram();
    for (const count of [-1, 1.5, NaN, Infinity]) {
      expect(() => histogram.recordMany(5, count)).toThrow(RangeError);
    }
    expect(histogram.count).toBe(0);
  });

  it('min, max and mean are NaN and count is 0 on an empty histogram', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.invalid).toBe(0);
    expect(histogram.min).toBeNaN();
    expect(histogram.max).toBeNaN();
    expect(histogram.mean).toBeNaN();
  });
});

describe('LatencyHistogram invalid values', () => {
  it('are counted, not thrown, and leave the valid statistics alone', () => {
    const histogram = new LatencyHistogram();
    const invalid = [-1, -0.5, NaN, Infinity, -Infinity, 2 ** 53, 1e300];
    for (const value of invalid) expect(() => histogram.record(value)).not.toThrow();
    expect(histogram.invalid).toBe(invalid.length);
    expect(histogram.count).toBe(0);
    expect(histogram.toJSON().indices).toEqual([]);

    histogram.recordMany(NaN, 3);
    histogram.recordMany(-5, 0);
    histogram.record(500);
    expect(histogram.invalid).toBe(invalid.length + 3);
    expect(histogram.count).toBe(1);
    expect(histogram.min).toBe(500);
    expect(histogram.max).toBe(500);
    expect(histogram.mean).toBe(500);
  });

  it('exclude the highest trackable value itself, which is valid', () => {
    const histogram = histogramOf([HIGHEST_TRACKABLE_NANOS]);
    expect(histogram.invalid).toBe(0);
    expect(histogram.toJSON().indices).toEqual([LATENCY_BUCKET_COUNT - 1]);
  });

  it('do not include -0, which is recorded as 0', () => {
    const histogram = histogramOf([-0]);
    expect(histogram.invalid).toBe(0);
    expect(Object.is(histogram.min, 0)).toBe(true);
    expect(Object.is(histogram.percentile(50), 0)).toBe(true);
  });
});

describe('LatencyHistogram buckets', () => {
  it('has 6016 buckets: 128 per power of two up to 2^53', () => {
    expect(LATENCY_BUCKET_COUNT).toBe(6016);
  });

  it('maps larger values to the same or a later bucket', () => {
    const anyTrackable = fc.oneof(realNanos, fc.maxSafeNat());
    fc.assert(
      fc.property(anyTrackable, anyTrackable, (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const lowIndex = histogramOf([low]).toJSON().indices[0]!;
        const highIndex = histogramOf([high]).toJSON().indices[0]!;
        expect(lowIndex).toBeLessThanOrEqual(highIndex);
        expect(highIndex).toBeLessThan(LATENCY_BUCKET_COUNT);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('LatencyHistogram.merge', () => {
  const withInvalid = fc.array(fc.oneof({ weight: 9, arbitrary: integerNanos }, { weight: 1, arbitrary: invalidNanos }), { maxLength: 300 });

  it('merge(a, b) equals recording all values into one histogram, and leaves b unchanged', () => {
    fc.assert(
      fc.property(withInvalid, withInvalid, (first, second) => {
        const a = histogramOf(first);
        const b = histogramOf(second);
        const bBefore = b.toJSON();
        const merged = a.merge(b);
        expect(merged).toBe(a);
        // Integer values below 2^53 in total: the sum is exact in any order.
        expect(a.toJSON()).toEqual(histogramOf([...first, ...second]).toJSON());
        expect(b.toJSON()).toEqual(bBefore);
      }),
      { numRuns: 300 },
    );
  });

  it('merging many subtask histograms gives the percentiles of all values', () => {
    fc.assert(
      fc.property(fc.array(fc.array(integerNanos, { maxLength: 100 }), { minLength: 1, maxLength: 8 }), thousandths, (perSubtask, p) => {
        const total = new LatencyHistogram();
        for (const values of perSubtask) total.merge(LatencyHistogram.fromJSON(histogramOf(values).toJSON()));
        const all = perSubtask.flat();
        expect(total.count).toBe(all.length);
        if (all.length === 0) return;
        expect(total.percentile(p / 1000)).toBe(histogramOf(all).percentile(p / 1000));
      }),
    );
  });

  it('merging a histogram into itself counts everything twice', () => {
    const histogram = histogramOf([3, 3_000, 3e9, 3e12, -1]);
    histogram.merge(histogram);
    const twice = new LatencyHistogram();
    for (const value of [3, 3_000, 3e9, 3e12, -1]) twice.recordMany(value, 2);
    expect(histogram.toJSON()).toEqual(twice.toJSON());
  });
});

describe('LatencyHistogram.toJSON and fromJSON', () => {
  const values = fc.array(fc.oneof({ weight: 9, arbitrary: realNanos }, { weight: 1, arbitrary: invalidNanos }), { maxLength: 300 });

  it('round-trip exactly, also through JSON text and structuredClone', () => {
    fc.assert(
      fc.property(values, (recorded) => {
        const original = histogramOf(recorded);
        const json = original.toJSON();
        for (const carried of [json, JSON.parse(JSON.stringify(original)) as unknown, structuredClone(json)]) {
          const copy = LatencyHistogram.fromJSON(carried);
          expect(copy.toJSON()).toEqual(json);
          expect(copy.count).toBe(original.count);
          expect(copy.invalid).toBe(original.invalid);
          expect(copy.min).toBe(original.min);
          expect(copy.max).toBe(original.max);
          expect(copy.mean).toBe(original.mean);
          for (const p of [0, 50, 90, 99, 99.9, 100]) expect(copy.percentile(p)).toBe(original.percentile(p));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lists only the non-zero buckets, as parallel arrays', () => {
    const histogram = histogramOf([5, 5, 7, 1e9]);
    histogram.record(-3);
    const json = histogram.toJSON();
    expect(json.indices.length).toBe(3);
    expect(json.counts).toEqual([2, 1, 1]);
    expect(json.indices[0]).toBe(5);
    expect(json.indices[1]).toBe(7);
    expect({ count: json.count, invalid: json.invalid, min: json.min, max: json.max, sum: json.sum }).toEqual({
      count: 4,
      invalid: 1,
      min: 5,
      max: 1e9,
      sum: 1e9 + 17,
    });
  });

  it('serializes an empty histogram with finite fields and restores it', () => {
    const json = new LatencyHistogram().toJSON();
    expect(json).toEqual({ version: 1, indices: [], counts: [], count: 0, invalid: 0, min: 0, max: 0, sum: 0 });
    expect(LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(json))).min).toBeNaN();
  });

  describe('fromJSON rejects malformed input with a TypeError naming the field', () => {
    const good: LatencyHistogramJSON = histogramOf([5, 5, 300, 2e9, 7e12, -1]).toJSON();
    const [first, second] = good.indices;
    const cases: Array<[string, unknown, RegExp]> = [
      ['null', null, /expected the object LatencyHistogram#toJSON\(\) returns, got null/],
      ['an array', [], /expected the object .* got an array/],
      ['a string', 'histogram', /expected the object .* got "histogram"/],
      ['a missing version', { ...good, version: undefined }, /version must be 1, got undefined/],
      ['another version', { ...good, version: 2 }, /version must be 1, got 2/],
      ['indices that are not an array', { ...good, indices: '1,2' }, /indices must be an array/],
      ['counts that are not an array', { ...good, counts: {} }, /counts must be an array .* got an object/],
      ['counts of another length', { ...good, counts: good.counts.slice(1) }, /counts must have as many entries as indices/],
      ['a fractional index', { ...good, indices: [first, 1.5, ...good.indices.slice(2)] }, /indices\[1\] must be an integer/],
      ['an index past the last bucket', { ...good, indices: [...good.indices.slice(0, -1), LATENCY_BUCKET_COUNT] }, /indices\[3\] must be an integer from 0 to 6015, got 6016/],
      ['a negative index', { ...good, indices: [-1, ...good.indices.slice(1)] }, /indices\[0\] must be an integer/],
      ['indices out of order', { ...good, indices: [second, first, ...good.indices.slice(2)] }, /indices\[1\] must be greater than indices\[0\]/],
      ['a repeated index', { ...good, indices: [first, first, ...good.indices.slice(2)] }, /indices\[1\] must be greater/],
      ['a zero count', { ...good, counts: [0, ...good.counts.slice(1)] }, /counts\[0\] must be a positive integer, got 0/],
      ['a fractional count', { ...good, counts: [...good.counts.slice(0, 2), 0.5, ...good.counts.slice(3)] }, /counts\[2\] must be a positive integer/],
      ['a count given as a string', { ...good, counts: ['2', ...good.counts.slice(1)] }, /counts\[0\] must be a positive integer, got "2"/],
      ['a count that is not the sum of counts', { ...good, count: good.count + 1 }, /count must be the sum of counts \(5\), got 6/],
      ['a negative invalid count', { ...good, invalid: -1 }, /invalid must be a non-negative integer, got -1/],
      ['a missing invalid count', { ...good, invalid: undefined }, /invalid must be a non-negative integer/],
      ['a negative min', { ...good, min: -1 }, /min must be a number from 0/],
      ['a NaN max', { ...good, max: NaN }, /max must be a number from 0/],
      ['a negative sum', { ...good, sum: -1 }, /sum must be a finite number/],
      ['an infinite sum', { ...good, sum: Infinity }, /sum must be a finite number/],
      ['min above max', { ...good, min: 8e12 }, /min must not exceed max/],
      ['min outside the first bucket', { ...good, min: 6 }, /min must fall in the first listed bucket/],
      ['max outside the last bucket', { ...good, max: 8e12 }, /max must fall in the last listed bucket/],
      ['a non-zero min with no values', { ...new LatencyHistogram().toJSON(), min: 3 }, /min must be 0 when count is 0/],
      ['a non-zero sum with no values', { ...new LatencyHistogram().toJSON(), sum: 3 }, /sum must be 0 when count is 0/],
    ];

    it.each(cases)('%s', (_name, input, message) => {
      expect(() => LatencyHistogram.fromJSON(input)).toThrow(TypeError);
      expect(() => LatencyHistogram.fromJSON(input)).toThrow(message);
    });

    it('accepts the unmodified object the cases are derived from', () => {
      expect(LatencyHistogram.fromJSON(good).toJSON()).toEqual(good);
    });
  });
});

describe('LatencyHistogram.reset', () => {
  it('forgets every value and the invalid count, and records correctly afterwards', () => {
    const histogram = histogramOf([1e9, 1e9, 1e9, 50, 4e12, -1, NaN]);
    histogram.reset();
    expect(histogram.toJSON()).toEqual(new LatencyHistogram().toJSON());
    expect(histogram.count).toBe(0);
    expect(histogram.invalid).toBe(0);
    expect(histogram.min).toBeNaN();
    expect(histogram.percentile(50)).toBeNaN();

    // No bucket of the first round may survive: 1e9 lies between the new min and max.
    histogram.record(100);
    histogram.record(1e12);
    expect(histogram.toJSON()).toEqual(histogramOf([100, 1e12]).toJSON());
    expect(histogram.min).toBe(100);
    expect(histogram.max).toBe(1e12);
  });

  it('after reset the histogram equals a fresh one fed the same values', () => {
    fc.assert(
      fc.property(fc.array(realNanos, { maxLength: 100 }), fc.array(realNanos, { maxLength: 100 }), (before, after) => {
        const histogram = histogramOf(before);
        histogram.reset();
        for (const value of after) histogram.record(value);
        expect(histogram.toJSON()).toEqual(histogramOf(after).toJSON());
      }),
    );
  });
});

describe('LatencyHistogram.summary', () => {
  it('converts every field but count to the unit, milliseconds by default', () => {
    const histogram = histogramOf([1_500_000]);
    const inMs = { count: 1, min: 1.5, mean: 1.5, p50: 1.5, p90: 1.5, p99: 1.5, p999: 1.5, max: 1.5 };
    expect(histogram.summary()).toEqual(inMs);
    expect(histogram.summary('ms')).toEqual(inMs);
    expect(histogram.summary('us')).toEqual({ count: 1, min: 1500, mean: 1500, p50: 1500, p90: 1500, p99: 1500, p999: 1500, max: 1500 });
    expect(histogram.summary('ns')).toEqual({
      count: 1,
      min: 1.5e6,
      mean: 1.5e6,
      p50: 1.5e6,
      p90: 1.5e6,
      p99: 1.5e6,
      p999: 1.5e6,
      max: 1.5e6,
    });
  });

  it('reports p50, p90, p99 and p99.9 of the values within the bound', () => {
    // 1 µs … 10 ms in 1 µs steps.
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) * 1_000);
    const summary = histogramOf(values).summary('us');
    expect(Object.keys(summary)).toEqual(['count', 'min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']);
    expect(summary.count).toBe(10_000);
    expect(summary.min).toBe(1);
    expect(summary.max).toBe(10_000);
    expect(summary.mean).toBe(5_000.5);
    for (const [reported, exact] of [
      [summary.p50, 5_000],
      [summary.p90, 9_000],
      [summary.p99, 9_900],
      [summary.p999, 9_990],
    ] as const) {
      expect(Math.abs(reported - exact)).toBeLessThanOrEqual(exact / 256);
    }
  });

  it('is NaN but for count on an empty histogram', () => {
    const summary = new LatencyHistogram().summary('ns');
    expect(summary.count).toBe(0);
    for (const key of ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const) expect(summary[key]).toBeNaN();
  });

  it('throws a RangeError for an unknown unit', () => {
    expect(() => histogramOf([1]).summary('s' as 'ms')).toThrow(/unit must be 'ms', 'us' or 'ns', got "s"/);
  });
});
