/**
 * End of stream with uneven inputs: source subtasks of very different lengths (empty ones, one
 * with many records) feed keyed operators through small rings, so the long input is
 * backpressured while the others have already ended. The job finishes and loses nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../fixtures/engine/ops.js';
import { ops, sinks, sluice, sources } from './support/compiled.js';
import { groupBy } from './support/records.js';

const { Pipeline, collected } = sluice;

/** Keys over most of the 16 key groups, so every subtask's first and last group hold some. */
const KEYS = Array.from({ length: 60 }, (_, i) => `key-${i}`);

/** `length` items with ids from `firstId`. */
function items(length: number, firstId: number): Item[] {
  return Array.from({ length }, (_, i) => ({ id: firstId + i, k: KEYS[(firstId + i) % KEYS.length]!, v: ((firstId + i) % 13) - 6 }));
}

/** Per key: `{ k, n, sum }`, what countAtEnd emits at end of input. */
function totals(all: readonly Item[]) {
  return [...groupBy(all, (item) => item.k)]
    .map(([k, group]) => ({ k, n: group.length, sum: group.reduce((sum, item) => sum + item.v, 0) }))
    .sort((x, y) => (x.k < y.k ? -1 : 1));
}

async function runUneven(partitions: Item[][], sourceParallelism: number) {
  const pipeline = new Pipeline({ parallelism: 3, maxParallelism: 16, channelBytes: 4096 });
  pipeline
    .source(sources.arraySourceSpec(partitions), { name: 'uneven', parallelism: sourceParallelism })
    .keyBy('k')
    .process(ops.countAtEnd, { name: 'totals' })
    .sink(sinks.collectSpec(), { name: 'out', parallelism: 1 });
  return pipeline.execute();
}

describe('end of stream with uneven inputs', () => {
  it('counts every record when one subtask has thousands and the others none or one', async () => {
    const partitions = [[], items(20_000, 0), items(1, 20_000), []];
    const result = await runUneven(partitions, 4);

    const out = collected<{ k: string }>(result, 'out').sort((x, y) => (x.k < y.k ? -1 : 1));
    expect(out).toEqual(totals(partitions.flat()));
    expect(result.operators['uneven']).toMatchObject({ parallelism: 4, recordsOut: 20_001 });
    expect(result.operators['totals']).toMatchObject({ parallelism: 3, recordsIn: 20_001, recordsOut: KEYS.length });
  });

  it('finishes with no output when every source subtask is empty', async () => {
    const result = await runUneven([], 2);
    expect(collected(result, 'out')).toEqual([]);
    expect(result.operators['totals']).toMatchObject({ recordsIn: 0, recordsOut: 0 });
    expect(result.sinks['out']).toEqual([[]]);
  });

  it('counts every record for random partition lengths, many of them empty', async () => {
    const lengths = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2000, max: 8000 })), {
      minLength: 4,
      maxLength: 4,
    });
    await fc.assert(
      fc.asyncProperty(lengths, async (sizes) => {
        let firstId = 0;
        const partitions = sizes.map((size) => {
          const part = items(size, firstId);
          firstId += size;
          return part;
        });
        const result = await runUneven(partitions, 4);
        const out = collected<{ k: string }>(result, 'out').sort((x, y) => (x.k < y.k ? -1 : 1));
        expect(out).toEqual(totals(partitions.flat()));
        expect(result.operators['totals']).toMatchObject({ recordsIn: firstId });
      }),
      { numRuns: 3 },
    );
  });
});
