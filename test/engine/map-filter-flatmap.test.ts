/**
 * A chain of map, filter and flatMap over object records gives the same multiset of records as
 * a plain single-threaded reference, at parallelism 1, 2 and 4, and counts every record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, runsAt, itemsArbitrary, multiset, roundRobin } from './support/records.js';

const { Pipeline, collected } = sluice;

function reference(items: readonly Item[]) {
  const mapped = items.map((item) => ({ ...item, v: item.v * 3, mapped: true }));
  const kept = mapped.filter((item) => item.v % 2 === 0);
  const out: unknown[] = [];
  for (const item of kept) for (let copy = 0; copy < Math.abs(item.v) % 5; copy++) out.push({ ...item, copy });
  return { mapped, kept, out };
}

describe.each(PARALLELISMS)('map -> filter -> flatMap at parallelism %i', (parallelism) => {
  it('emits what the single-threaded reference emits', async () => {
    let nonEmptyRuns = 0;
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(), async (items) => {
        const pipeline = new Pipeline({ parallelism });
        pipeline
          .source(sources.arraySourceSpec(roundRobin(items, parallelism)), { name: 'items' })
          .map(ops.tripleV, { name: 'triple' })
          .filter(ops.evenV, { name: 'even' })
          .flatMap(ops.copiesByV, { name: 'copies' })
          .sink(sinks.collectSpec(), { name: 'out' });
        const result = await pipeline.execute();
        const expected = reference(items);

        expect(multiset(collected(result, 'out'))).toEqual(multiset(expected.out));
        const stats = result.operators;
        expect(stats['items']).toMatchObject({ parallelism, recordsOut: items.length });
        expect(stats['triple']).toMatchObject({ recordsIn: items.length, recordsOut: items.length });
        expect(stats['even']).toMatchObject({ recordsIn: items.length, recordsOut: expected.kept.length });
        expect(stats['copies']).toMatchObject({ recordsIn: expected.kept.length, recordsOut: expected.out.length });
        expect(stats['out']).toMatchObject({ recordsIn: expected.out.length, recordsOut: 0 });
        if (expected.out.length > 0) nonEmptyRuns++;
      }),
      // A fixed first example that the chain certainly lets through (even v, 2 or 4 copies), so
      // the random runs below never leave the comparison empty by chance.
      { numRuns: runsAt(parallelism), examples: [[Array.from({ length: 40 }, (_, id) => ({ id, k: `k${id % 7}`, v: id % 2 === 0 ? 2 + (id % 3) * 2 : 3 }))]] },
    );
    // The chain must have let something through, or the comparison above proved little.
    expect(nonEmptyRuns).toBeGreaterThan(0);
  });
});
