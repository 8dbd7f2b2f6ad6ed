/** Event-time mistakes found before a job starts, with what to do about them. */
import { describe, expect, it } from 'vitest';
import { ops, sluice } from './support/compiled.js';

describe('a window in a job without event time', () => {
  it('is refused before the job starts, naming the window and how to give the source a watermark strategy', async () => {
    const pipeline = new sluice.Pipeline({ parallelism: 2 });
    pipeline
      .source(sluice.generatorSource({ seed: 1, count: 1_000, keys: 4 }), { name: 'gen' })
      .keyBy(1)
      .window(sluice.tumblingWindows(100))
      .aggregate(ops.countAndSum, ops.windowLine, { name: 'count' })
      .sink(sluice.collectSink<string>(), { name: 'out' });
    await expect(pipeline.execute()).rejects.toThrow(/window operator 'count' needs event time, and no source of the job has a watermark strategy: add one .*watermarks: boundedOutOfOrderness/);
  });

  it('runs once the source has one', async () => {
    const pipeline = new sluice.Pipeline({ parallelism: 2 });
    pipeline
      .source(sluice.generatorSource({ seed: 1, count: 1_000, keys: 4 }), {
        name: 'gen',
        watermarks: sluice.boundedOutOfOrderness({ timestamp: ops.generatorTime, maxOutOfOrdernessMs: ops.MAX_JITTER_MS }),
      })
      .keyBy(1)
      .window(sluice.tumblingWindows(100))
      .aggregate(ops.countAndSum, ops.windowLine, { name: 'count' })
      .sink(sluice.collectSink<string>(), { name: 'out' });
    const result = await pipeline.execute();
    expect(result.operators['count']!.recordsIn).toBe(1_000);
  });
});
