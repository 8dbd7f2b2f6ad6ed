/**
 * Event time end to end, across threads: a generator with a bounded out-of-orderness strategy
 * feeds, through a hash edge, a tumbling-window count (window operator) and the same count built
 * by hand from event-time timers in a process function. Both emit exactly the windows of a
 * single-threaded reference, at parallelism 1, 2 and 3; windows fire as the watermark passes them
 * (most before the end of the input), and records carry their event time across the edges.
 */
import { describe, expect, it } from 'vitest';
import { ops, sluice } from './support/compiled.js';
import { expectedWindowLines } from './support/reference.js';

const { Pipeline, collectSink, generatorSource, boundedOutOfOrderness, tumblingWindows, collected } = sluice;

const JOB = { seed: 3, count: 20_000, keys: 16, sizeMs: 1_000 };

function source(pipeline: InstanceType<typeof Pipeline>) {
  return pipeline.source(generatorSource({ seed: JOB.seed, count: JOB.count, keys: JOB.keys }), {
    name: 'gen',
    watermarks: boundedOutOfOrderness({ timestamp: ops.generatorTime, maxOutOfOrdernessMs: ops.MAX_JITTER_MS }),
  });
}

const sorted = (lines: readonly string[]) => [...lines].sort();

describe.each([1, 2, 3])('event-time windows at parallelism %i', (parallelism) => {
  it('the window operator emits every window of the reference once', async () => {
    const pipeline = new Pipeline({ parallelism, channelBytes: 16_384 });
    source(pipeline)
      .keyBy(1)
      .window(tumblingWindows(JOB.sizeMs))
      .aggregate(ops.countAndSum, ops.windowLine, { name: 'count' })
      .sink(collectSink<string>(), { name: 'out' });
    const result = await pipeline.execute();
    expect(sorted(collected<string>(result, 'out'))).toEqual(sorted(expectedWindowLines(JOB)));
  });

  it('event-time timers in a process function emit the same windows', async () => {
    const pipeline = new Pipeline({ parallelism, channelBytes: 16_384 });
    source(pipeline)
      .keyBy(1)
      .process<string>(ops.timerWindows, { name: 'count', options: { sizeMs: JOB.sizeMs } })
      .sink(collectSink<string>(), { name: 'out' });
    const result = await pipeline.execute();
    expect(sorted(collected<string>(result, 'out'))).toEqual(sorted(expectedWindowLines(JOB)));
  });
});

describe('watermark propagation', () => {
  it('reaches a keyed operator through a rebalance and a hash edge, below every record and never going back', async () => {
    const pipeline = new Pipeline({ parallelism: 2, channelBytes: 16_384 });
    // Two sources, three pass-through subtasks, two keyed subtasks: every watermark is a minimum over several channels.
    source(pipeline)
      .rebalance()
      .map(ops.slow, { name: 'pass', parallelism: 3, options: { costMicros: 0 } })
      .keyBy(1)
      .process<[number, number, number]>(ops.watermarkSeen, { name: 'seen' })
      .sink(collectSink<[number, number, number]>(), { name: 'out', parallelism: 1 });
    const result = await pipeline.execute();
    const seen = collected<[number, number, number]>(result, 'out');
    expect(seen).toHaveLength(JOB.count);
    for (const [seq, time, watermark] of seen) {
      // The record's event time crossed two edges with it.
      expect(time).toBe(ops.eventTimeOf(seq));
      expect(watermark).toBeLessThan(time);
    }
    // Watermarks arrived while records still flowed, not only at the end.
    const advanced = seen.filter(([, , watermark]) => Number.isFinite(watermark));
    expect(advanced.length).toBeGreaterThan(JOB.count / 2);
    // Per key (one subtask, one channel into the sink), the watermark never goes back.
    const lastPerKey = new Map<number, number>();
    for (const [seq, , watermark] of seen) {
      const key = (sluice.generatorRecord({ seed: JOB.seed, keys: JOB.keys }, seq) as number[])[1]!;
      expect(watermark).toBeGreaterThanOrEqual(lastPerKey.get(key) ?? -Infinity);
      lastPerKey.set(key, watermark);
    }
  });
});

describe('windows fire as the watermark passes them', () => {
  it('most windows reach the next operator while the input still flows, each with the window end as event time', async () => {
    const pipeline = new Pipeline({ parallelism: 2, channelBytes: 16_384 });
    source(pipeline)
      .keyBy(1)
      .window(tumblingWindows(JOB.sizeMs))
      .aggregate(ops.countAndSum, ops.windowLine, { name: 'count' })
      .keyBy(ops.lineKey)
      .process<[string, number, number]>(ops.arrivalWatermark, { name: 'arrival' })
      .sink(collectSink<[string, number, number]>(), { name: 'out' });
    const result = await pipeline.execute();
    const arrived = collected<[string, number, number]>(result, 'out');
    expect(arrived).toHaveLength(expectedWindowLines(JOB).length);
    for (const [line, time, watermark] of arrived) {
      const [, , end] = line.split(':').map(Number);
      expect(time).toBe(end! - 1);
      expect(watermark).toBeLessThan(time);
    }
    // Fired only at the end of the input, every window would arrive behind one and the same
    // watermark; fired as the watermark passes, they arrive behind many.
    expect(new Set(arrived.map(([, , watermark]) => watermark)).size).toBeGreaterThan(10);
  });
});

describe('an idle source', () => {
  it('stops holding the watermark back once idle, so windows fire while it reads nothing', async () => {
    const pipeline = new Pipeline({ parallelism: 1, channelBytes: 16_384 });
    const watermarks = (idleTimeoutMs?: number) =>
      boundedOutOfOrderness({ timestamp: ops.generatorTime, maxOutOfOrdernessMs: ops.MAX_JITTER_MS, ...(idleTimeoutMs ? { idleTimeoutMs } : {}) });
    // A few early records, then silence for 1.5 s: without idleness its watermark would hold
    // every window back until it ends.
    const quiet = pipeline.source(ops.quietSourceSpec({ rows: [[0, 99, 1], [1, 99, 2]], quietMs: 1_500 }), { name: 'quiet', watermarks: watermarks(50) });
    pipeline
      .source(generatorSource({ seed: JOB.seed, count: 4_000, keys: JOB.keys, ratePerSecond: 4_000 }), { name: 'gen', watermarks: watermarks() })
      .union(quiet)
      .keyBy(1)
      .window(tumblingWindows(JOB.sizeMs))
      .aggregate(ops.countAndSum, ops.windowLine, { name: 'count' })
      .keyBy(ops.lineKey)
      .process<[string, number, number]>(ops.arrivalWatermark, { name: 'arrival' })
      .sink(collectSink<[string, number, number]>(), { name: 'out' });
    const result = await pipeline.execute();
    const arrived = collected<[string, number, number]>(result, 'out');
    const counted = arrived.reduce((sum, [line]) => sum + Number(line.split(':')[3]), 0);
    expect(counted).toBe(4_002);
    // Windows of the busy source arrived behind many watermarks, not all behind the quiet one's.
    expect(new Set(arrived.map(([, , watermark]) => watermark)).size).toBeGreaterThan(5);
  });
});
