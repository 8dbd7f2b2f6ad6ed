/**
 * A keyed reduce emits, per key, the same sequence of running values as a single-threaded
 * reference, at parallelism 1, 2 and 4, with a field key and with a key selector.
 *
 * The source splits its input so that all records of a key come from one source subtask, in
 * input order: then they reach the reduce through one FIFO channel, and each key's sequence of
 * updates is fully determined (only the interleaving across keys may vary).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, runsAt, byKey, groupBy, itemsArbitrary } from './support/records.js';

const { Pipeline, collected } = sluice;

/** Per key, the running sums a reduce emits: the first record itself, then each fold. */
function reference(items: readonly Item[]): Map<string | number, Item[]> {
  const updates = new Map<string | number, Item[]>();
  for (const [key, group] of groupBy(items, (item) => item.k)) {
    const emitted: Item[] = [];
    let acc: Item | undefined;
    for (const item of group) {
      acc = acc === undefined ? item : { id: item.id, k: acc.k, v: acc.v + item.v };
      emitted.push(acc);
    }
    updates.set(key, emitted);
  }
  return updates;
}

async function runReduce(items: readonly Item[], parallelism: number, keyed: 'field' | 'selector') {
  const pipeline = new Pipeline({ parallelism });
  const stream = pipeline.source(sources.arraySourceSpec(byKey(items, parallelism, (item) => item.k)), { name: 'items' });
  stream
    .keyBy(keyed === 'field' ? 'k' : ops.keyOfItem)
    .reduce(ops.sumV, { name: 'sum' })
    .sink(sinks.collectSpec(), { name: 'out' });
  const result = await pipeline.execute();
  const updates = groupBy(collected<Item>(result, 'out'), (item) => item.k);
  expect(updates).toEqual(reference(items));
  expect(result.operators['sum']).toMatchObject({ parallelism, recordsIn: items.length, recordsOut: items.length });
  expect(result.operators['out']).toMatchObject({ recordsIn: items.length });
}

describe.each(PARALLELISMS)('keyed reduce at parallelism %i', (parallelism) => {
  it('emits each key\'s running sums in order, as the reference does (keyBy a field)', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(), (items) => runReduce(items, parallelism, 'field')),
      { numRuns: runsAt(parallelism) },
    );
  });
});

describe('keyed reduce with a key selector', () => {
  it('emits each key\'s running sums in order, as the reference does (parallelism 2)', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(), (items) => runReduce(items, 2, 'selector')),
      { numRuns: 3 },
    );
  });
});
