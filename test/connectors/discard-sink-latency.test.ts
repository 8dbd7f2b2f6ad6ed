/** The discard sink counts records and records each one's latency, now minus its ingest time. */
import { describe, expect, it } from 'vitest';
import { discardSink } from '../../src/connectors/index.js';
import type { DiscardSinkResult, RestorableSinkFunction } from '../../src/connectors/index.js';
import { LatencyHistogram } from '../../src/metrics/index.js';
import { createSink, sinkContext } from './support/harness.js';

const nowNanos = (): number => {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e9 + nanos;
};

describe('discard sink latency', () => {
  it('counts records and records one latency per record', async () => {
    const sink = createSink(discardSink());
    await sink.open?.(sinkContext(0, 1));
    for (let i = 0; i < 1000; i++) sink.write([i], nowNanos());
    // Ingested a second ago: its latency is at least a second, whatever the machine's speed.
    sink.write('old', nowNanos() - 1e9);
    const result = (await sink.finish?.()) as DiscardSinkResult;
    expect(result.records).toBe(1001);
    const histogram = LatencyHistogram.fromJSON(structuredClone(result.latency));
    expect(histogram.count).toBe(1001);
    expect(histogram.invalid).toBe(0);
    expect(histogram.min).toBeGreaterThanOrEqual(0);
    expect(histogram.max).toBeGreaterThanOrEqual(1e9);
    await sink.close?.();
  });

  it('continues counting from a restored snapshot', async () => {
    const spec = discardSink();
    const first = createSink(spec) as RestorableSinkFunction<unknown, DiscardSinkResult, DiscardSinkResult>;
    await first.open(sinkContext(0, 1));
    for (let i = 0; i < 10; i++) first.write(i, nowNanos());
    const state = await first.snapshotState();
    const second = createSink(spec) as RestorableSinkFunction<unknown, DiscardSinkResult, DiscardSinkResult>;
    await second.open(sinkContext(0, 1), structuredClone(state));
    for (let i = 0; i < 5; i++) second.write(i, nowNanos());
    const result = await second.finish?.();
    expect(result?.records).toBe(15);
    expect(result?.latency.count).toBe(15);
  });
});
