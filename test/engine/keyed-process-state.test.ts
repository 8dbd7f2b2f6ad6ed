/**
 * A keyed process function with map, value and list state (distinct values per key, emitted as
 * they appear and again at end of input through onEnd + forEachKey) gives the same output as a
 * single-threaded reference, at parallelism 1, 2 and 4. Each key's records come from one source
 * subtask in input order, so each key's sequence of outputs is determined.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, runsAt, byKey, groupBy, itemsArbitrary } from './support/records.js';

const { Pipeline, collected } = sluice;

type Emitted =
  | { k: string; value: number; distinct: number }
  | { k: string; final: number; seen: number; order: number[] };

function reference(items: readonly Item[]): Map<string | number, Emitted[]> {
  const out = new Map<string | number, Emitted[]>();
  for (const [key, group] of groupBy(items, (item) => item.k)) {
    const emitted: Emitted[] = [];
    const order: number[] = [];
    for (const item of group) {
      if (order.includes(item.v)) continue;
      order.push(item.v);
      emitted.push({ k: item.k, value: item.v, distinct: order.length });
    }
    emitted.push({ k: group[0]!.k, final: order.length, seen: order.length, order });
    out.set(key, emitted);
  }
  return out;
}

describe.each(PARALLELISMS)('keyed process with state at parallelism %i', (parallelism) => {
  it('emits what the reference emits, per key and in order, final results last', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(), async (items) => {
        const pipeline = new Pipeline({ parallelism });
        pipeline
          .source(sources.arraySourceSpec(byKey(items, parallelism, (item) => item.k)), { name: 'items' })
          .keyBy('k')
          .process(ops.distinctValues, { name: 'distinct' })
          .sink(sinks.collectSpec(), { name: 'out' });
        const result = await pipeline.execute();

        const expected = reference(items);
        expect(groupBy(collected<Emitted>(result, 'out'), (record) => record.k)).toEqual(expected);
        const emitted = [...expected.values()].reduce((sum, list) => sum + list.length, 0);
        expect(result.operators['distinct']).toMatchObject({ parallelism, recordsIn: items.length, recordsOut: emitted });
      }),
      { numRuns: runsAt(parallelism) },
    );
  });
});
