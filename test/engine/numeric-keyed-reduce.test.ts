/**
 * Numeric records (numericRecords(3), the fixed-layout fast path) keep every float64 value
 * exactly through map, a keyBy on an index and a reduce, at parallelism 1, 2 and 4: per key,
 * the running values equal a single-threaded reference's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, runsAt, byKey, canonical, groupBy } from './support/records.js';

const { Pipeline, collected, numericRecords } = sluice;

type Row = [id: number, key: number, value: number];

const rowsArbitrary = fc
  .array(
    fc.tuple(
      fc.constantFrom(0, 1, 2, 3, -1, 2.5, 1e9, 2 ** 40, -0.125),
      fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true })),
    ),
    { maxLength: 400 },
  )
  .map((pairs) => pairs.map(([key, value], id): Row => [id, key, value]));

function reference(rows: readonly Row[]): Map<string | number, string[]> {
  const out = new Map<string | number, string[]>();
  for (const [key, group] of groupBy(rows, (row) => row[1])) {
    let acc: Row | undefined;
    const emitted: string[] = [];
    for (const [id, k, value] of group) {
      const doubled: Row = [id, k, value * 2];
      acc = acc === undefined ? doubled : [id, acc[1], acc[2] + doubled[2]];
      emitted.push(canonical(acc));
    }
    out.set(key, emitted);
  }
  return out;
}

describe.each(PARALLELISMS)('numeric keyed reduce at parallelism %i', (parallelism) => {
  it('emits each key\'s running sums exactly, as the reference does', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, async (rows) => {
        const pipeline = new Pipeline({ parallelism });
        pipeline
          .source(sources.arraySourceSpec(byKey(rows, parallelism, (row) => row[1]), numericRecords(3)), { name: 'rows' })
          .map(ops.doubleNumeric, { name: 'double', returns: numericRecords(3) })
          .keyBy(1)
          .reduce(ops.sumNumeric, { name: 'sum' })
          .sink(sinks.collectSpec(), { name: 'out' });
        const result = await pipeline.execute();

        const out = collected<Row>(result, 'out');
        const updates = new Map([...groupBy(out, (row) => row[1])].map(([key, group]) => [key, group.map(canonical)]));
        expect(updates).toEqual(reference(rows));
        expect(result.operators['sum']).toMatchObject({ recordsIn: rows.length, recordsOut: rows.length });
      }),
      { numRuns: runsAt(parallelism) },
    );
  });
});
