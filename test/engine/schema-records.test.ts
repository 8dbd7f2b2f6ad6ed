/**
 * Schema and string records travel through real channels on the columnar codec: a keyed reduce
 * over schema records and a word count over string records give the reference's results at
 * parallelism 1, 2 and 4 (hash edges carry each record's key group to the keyed operator); a
 * record that breaks its schema fails the operator that emitted it, naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, byKey, groupBy, itemsArbitrary, runsAt } from './support/records.js';

const { Pipeline, collected, recordSchema, STRING_RECORDS, JobFailedError } = sluice;
const ITEM = recordSchema({ id: 'number', k: 'string', v: 'number' });

describe.each(PARALLELISMS)('parallelism %i', (parallelism) => {
  it('a keyed reduce over schema records emits the reference running sums per key', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(500), async (items) => {
        const pipeline = new Pipeline({ parallelism });
        pipeline
          .source(sources.arraySourceSpec(byKey(items, parallelism, (item) => item.k), ITEM), { name: 'items' })
          .map(ops.identity, { name: 'pass', returns: ITEM })
          .keyBy('k')
          .reduce(ops.sumV, { name: 'sum' })
          .sink(sinks.collectSpec(), { name: 'out' });
        const updates = groupBy(collected<Item>(await pipeline.execute(), 'out'), (item) => item.k);
        for (const [key, group] of groupBy(items, (item) => item.k)) {
          const sums = group.map((_, index) => group.slice(0, index + 1).reduce((sum, item) => sum + item.v, 0));
          expect(updates.get(key)!.map((update) => update.v)).toEqual(sums);
        }
      }),
      { numRuns: runsAt(parallelism) },
    );
  });

  it('a word count over string records counts every word', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(500), async (items) => {
        const pipeline = new Pipeline({ parallelism });
        pipeline
          .source(sources.arraySourceSpec(byKey(items, parallelism, (item) => item.id)), { name: 'items' })
          .flatMap(ops.wordsOfKey, { name: 'words', returns: STRING_RECORDS })
          .keyBy(ops.identityKey)
          .process(ops.countStrings, { name: 'count' })
          .sink(sinks.collectSpec(), { name: 'out' });
        const counts = new Map<string, number>();
        for (const item of items) for (const word of item.k.split('-')) counts.set(word, (counts.get(word) ?? 0) + 1);
        const emitted = collected<string>(await pipeline.execute(), 'out');
        expect(emitted.sort()).toEqual([...counts].map(([word, count]) => `${word}=${count}`).sort());
      }),
      { numRuns: runsAt(parallelism) },
    );
  });
});

it('a record that breaks its schema fails the operator that emitted it, naming the field', async () => {
  const pipeline = new Pipeline({ parallelism: 2 });
  pipeline
    .source(sources.arraySourceSpec([[{ id: 1, k: 'a', v: 1 }]], ITEM), { name: 'items' })
    .map(ops.stringifyV, { name: 'breaks', returns: ITEM })
    .rebalance()
    .sink(sinks.collectSpec(), { name: 'out' });
  const error = await pipeline.execute().then(
    () => undefined,
    (failure: unknown) => failure as Error & { location: { operator: string } },
  );
  expect(error).toBeInstanceOf(JobFailedError);
  expect(error!.location.operator).toBe('breaks');
  expect(error!.message).toContain("field 'v' of a schema record must be a number, got the string \"1\"");
});
