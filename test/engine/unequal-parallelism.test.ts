/**
 * Operators of different parallelism (source 1 -> map 3 -> keyBy -> reduce 2 -> sink 1) are
 * joined by rebalance and hash edges between unequal parallelism; no record is lost or doubled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { groupBy, itemsArbitrary } from './support/records.js';

const { Pipeline, collected } = sluice;

describe('source 1 -> map 3 -> reduce 2 -> sink 1', () => {
  it('emits, per key, one update per record and the reference\'s total last', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(400), async (items) => {
        const pipeline = new Pipeline({ parallelism: 4 });
        pipeline
          .source(sources.arraySourceSpec([items]), { name: 'items', parallelism: 1 })
          .map(ops.tripleV, { name: 'triple', parallelism: 3 })
          .keyBy('k')
          .reduce(ops.sumV, { name: 'sum', parallelism: 2 })
          .sink(sinks.collectSpec(), { name: 'out', parallelism: 1 });
        const result = await pipeline.execute();

        // The map's three subtasks reorder records, but each key has one reduce subtask and that
        // subtask one channel to the sink: a key's last update in the sink is its total.
        const updates = groupBy(collected<Item>(result, 'out'), (item) => item.k);
        const inputs = groupBy(items, (item) => item.k);
        expect([...updates.keys()].sort()).toEqual([...inputs.keys()].sort());
        for (const [key, group] of inputs) {
          const emitted = updates.get(key)!;
          expect(emitted).toHaveLength(group.length);
          expect(emitted.at(-1)!.v).toBe(group.reduce((sum, item) => sum + 3 * item.v, 0));
          expect(emitted.map((update) => update.id).sort((x, y) => x - y)).toEqual(group.map((item) => item.id));
        }
        const n = items.length;
        expect(result.operators['items']).toMatchObject({ parallelism: 1, recordsOut: n });
        expect(result.operators['triple']).toMatchObject({ parallelism: 3, recordsIn: n, recordsOut: n });
        expect(result.operators['sum']).toMatchObject({ parallelism: 2, recordsIn: n, recordsOut: n });
        expect(result.operators['out']).toMatchObject({ parallelism: 1, recordsIn: n });
        expect(result.sinks['out']).toHaveLength(1);
      }),
      { numRuns: 5 },
    );
  });
});
