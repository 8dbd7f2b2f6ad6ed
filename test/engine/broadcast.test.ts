/**
 * A broadcast edge hands every record to every downstream subtask: each subtask of the next
 * operator sees the whole input, so the output is the input times the downstream parallelism.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { PARALLELISMS, groupBy, itemsArbitrary, multiset, roundRobin, runsAt } from './support/records.js';

const { Pipeline, collected } = sluice;

describe.each(PARALLELISMS)('broadcast from a source of parallelism %i', (parallelism) => {
  const downstream = parallelism === 1 ? 3 : parallelism;

  it(`gives each of ${downstream} downstream subtasks every record`, async () => {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary(), async (items) => {
        const pipeline = new Pipeline({ parallelism });
        pipeline
          .source(sources.arraySourceSpec(roundRobin(items, parallelism)), { name: 'items' })
          .broadcast()
          .map(ops.tagSubtask, { name: 'tag', parallelism: downstream })
          .sink(sinks.collectSpec(), { name: 'out', parallelism: downstream });
        const result = await pipeline.execute();

        // The sink is chained to the map (forward, equal parallelism): sink part i is what map subtask i saw.
        const parts = result.sinks['out']!;
        expect(parts).toHaveLength(downstream);
        parts.forEach((part, at) => {
          expect(multiset(part as unknown[])).toEqual(multiset(items.map((item) => ({ ...item, at }))));
        });
        expect(groupBy(collected<{ at: number }>(result, 'out'), (record) => record.at).size).toBe(items.length === 0 ? 0 : downstream);
        expect(result.operators['items']).toMatchObject({ recordsOut: items.length });
        expect(result.operators['tag']).toMatchObject({ parallelism: downstream, recordsIn: items.length * downstream });
        expect(result.operators['out']).toMatchObject({ recordsIn: items.length * downstream });
      }),
      { numRuns: runsAt(parallelism) },
    );
  });
});
