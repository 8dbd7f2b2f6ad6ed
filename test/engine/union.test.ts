/**
 * A union of sources of different parallelism (one of them empty, through a nested union)
 * feeds every record of every input to a keyed reduce, at parallelism 1, 2 and 4.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, groupBy, itemsArbitrary, roundRobin, runsAt } from './support/records.js';

const { Pipeline, collected } = sluice;

describe.each(PARALLELISMS)('union into a keyed reduce of parallelism %i', (parallelism) => {
  it('folds the records of every input: per key, one update per record and the total last', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(300), itemsArbitrary(300), async (left, rightItems) => {
        const right = rightItems.map((item) => ({ ...item, id: item.id + left.length }));
        const pipeline = new Pipeline({ parallelism });
        const a = pipeline.source(sources.arraySourceSpec(roundRobin(left, parallelism)), { name: 'left' });
        const b = pipeline.source(sources.arraySourceSpec(roundRobin(right, 2)), { name: 'right', parallelism: 2 });
        const empty = pipeline.source(sources.arraySourceSpec<Item>([]), { name: 'empty', parallelism: 1 });
        a.union(b.union(empty))
          .keyBy(ops.keyOfItem)
          .reduce(ops.sumV, { name: 'sum' })
          .sink(sinks.collectSpec(), { name: 'out', parallelism: 1 });
        const result = await pipeline.execute();

        // A key's records come from several source subtasks in no fixed interleaving; but the key
        // has one reduce subtask, and that subtask one channel to the sink: its last update is the total.
        const inputs = groupBy([...left, ...right], (item) => item.k);
        const updates = groupBy(collected<Item>(result, 'out'), (item) => item.k);
        expect([...updates.keys()].sort()).toEqual([...inputs.keys()].sort());
        for (const [key, group] of inputs) {
          const emitted = updates.get(key)!;
          expect(emitted.map((update) => update.id).sort((x, y) => x - y)).toEqual(group.map((item) => item.id));
          expect(emitted.at(-1)!.v).toBe(group.reduce((sum, item) => sum + item.v, 0));
        }
        const n = left.length + right.length;
        expect(result.operators['sum']).toMatchObject({ parallelism, recordsIn: n, recordsOut: n });
        expect(result.operators['empty']).toMatchObject({ recordsOut: 0 });
      }),
      { numRuns: runsAt(parallelism) - 1 },
    );
  });
});
