/** The collect sink returns the records it received, and restores them from a snapshot. */
import { describe, expect, it } from 'vitest';
import { collectSink } from '../../src/connectors/index.js';
import type { RestorableSinkFunction } from '../../src/connectors/index.js';
import { createSink, sinkContext } from './support/harness.js';

describe('collect sink', () => {
  it('returns the records in arrival order, structured-cloneable', async () => {
    const sink = createSink(collectSink<{ n: number }>());
    await sink.open?.(sinkContext(0, 1));
    const input = Array.from({ length: 100 }, (_, n) => ({ n }));
    for (const record of input) sink.write(record, 0);
    const result = await sink.finish?.();
    expect(structuredClone(result)).toEqual(input);
    await sink.close?.();
  });

  it('restores the records of a snapshot and drops those after it', async () => {
    const spec = collectSink<number>();
    const first = createSink(spec) as RestorableSinkFunction<number, number[], number[]>;
    await first.open(sinkContext(0, 1));
    [1, 2, 3].forEach((n) => first.write(n, 0));
    const state = await first.snapshotState();
    [4, 5].forEach((n) => first.write(n, 0));
    const second = createSink(spec) as RestorableSinkFunction<number, number[], number[]>;
    await second.open(sinkContext(0, 1), structuredClone(state));
    [4, 5, 6].forEach((n) => second.write(n, 0));
    expect(await second.finish?.()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
