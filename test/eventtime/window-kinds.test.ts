/**
 * The window kinds end to end, across threads, against single-threaded references: sliding
 * windows with `reduce`, session windows with `process` (every record of the session handed to
 * the window function), and records later than the watermark allows going to `lateRecords()`
 * instead of their windows. Also processing-time timers, which fire by the wall clock.
 */
import { describe, expect, it } from 'vitest';
import { ops, sluice } from './support/compiled.js';

const { Pipeline, collectSink, generatorSource, boundedOutOfOrderness, slidingWindows, sessionWindows, tumblingWindows, collected } = sluice;

const SEED = 13;
type Row = [number, number, number];

function rows(count: number, keys: number): Row[] {
  return Array.from({ length: count }, (_, seq) => sluice.generatorRecord({ seed: SEED, keys }, seq) as Row);
}

function eventSource(pipeline: InstanceType<typeof Pipeline>, count: number, keys: number, maxOutOfOrdernessMs = ops.MAX_JITTER_MS, parallelism?: number) {
  return pipeline.source(generatorSource({ seed: SEED, count, keys }), {
    name: 'gen',
    ...(parallelism === undefined ? {} : { parallelism }),
    watermarks: boundedOutOfOrderness({ timestamp: ops.generatorTime, maxOutOfOrdernessMs }),
  });
}

const sorted = <T>(values: readonly T[]) => [...values].map((value) => JSON.stringify(value)).sort();

describe('sliding windows with reduce', () => {
  it('emit per key and window the largest sequence number and the value sum, as the reference', async () => {
    const count = 8_000;
    const keys = 8;
    const sizeMs = 1_000;
    const slideMs = 250;
    const pipeline = new Pipeline({ parallelism: 2 });
    eventSource(pipeline, count, keys)
      .keyBy(1)
      .window(slidingWindows(sizeMs, slideMs))
      .reduce(ops.maxSeqSumValue, undefined, { name: 'slide' })
      .sink(collectSink<readonly number[]>(), { name: 'out' });
    const result = await pipeline.execute();

    const expected = new Map<string, Row>();
    for (const [seq, key, value] of rows(count, keys)) {
      const t = ops.eventTimeOf(seq);
      const last = Math.floor(t / slideMs) * slideMs;
      for (let start = last; start > t - sizeMs; start -= slideMs) {
        const id = `${key}:${start}`;
        const entry = expected.get(id);
        expected.set(id, entry ? [Math.max(entry[0], seq), key, entry[2] + value] : [seq, key, value]);
      }
    }
    expect(sorted(collected<Row>(result, 'out'))).toEqual(sorted([...expected.values()]));
  });
});

describe('session windows with process', () => {
  it('hand each session of a key, merged from out-of-order records, to the window function once', async () => {
    const count = 6_000;
    const keys = 40;
    const gapMs = 1_200;
    const pipeline = new Pipeline({ parallelism: 3 });
    eventSource(pipeline, count, keys)
      .keyBy(1)
      .window(sessionWindows(gapMs))
      .process(ops.windowRecords, { name: 'sessions' })
      .sink(collectSink<string>(), { name: 'out' });
    const result = await pipeline.execute();

    const perKey = new Map<number, Array<[number, number]>>();
    for (const [seq, key] of rows(count, keys)) {
      const list = perKey.get(key) ?? [];
      list.push([ops.eventTimeOf(seq), seq]);
      perKey.set(key, list);
    }
    const expected: string[] = [];
    for (const [key, list] of perKey) {
      list.sort((a, b) => a[0] - b[0]);
      let session: Array<[number, number]> = [];
      const close = () => {
        const seqs = session.map(([, seq]) => seq).sort((a, b) => a - b);
        expected.push(`${key}:${session[0]![0]}:${session[session.length - 1]![0] + gapMs}:${session.length}:${seqs.join(',')}`);
      };
      for (const entry of list) {
        if (session.length > 0 && entry[0] >= session[session.length - 1]![0] + gapMs) {
          close();
          session = [];
        }
        session.push(entry);
      }
      close();
    }
    const lines = collected<string>(result, 'out');
    expect(lines.length).toBeGreaterThan(keys); // keys have several sessions
    expect([...lines].sort()).toEqual(expected.sort());
  });
});

describe('late records', () => {
  it('go to lateRecords() instead of their windows; window counts and late records add up to the input', async () => {
    // A bound smaller than the jitter: records more than 50 ms behind the latest are late once
    // the watermark (emitted after each batch of 256 records the source reads) passed their window.
    const count = 6_000;
    const keys = 4;
    const sizeMs = 100;
    const boundMs = 50;
    const pipeline = new Pipeline({ parallelism: 1 });
    const windows = eventSource(pipeline, count, keys, boundMs)
      .keyBy(1)
      .window(tumblingWindows(sizeMs))
      .aggregate(ops.countAndSum, ops.windowLine, { name: 'count' });
    windows.sink(collectSink<string>(), { name: 'out' });
    windows.lateRecords().sink(collectSink<Row>(), { name: 'late' });
    const result = await pipeline.execute();

    // The reference: the one source subtask reads batches of 256 records; after each, the
    // watermark is the largest event time so far minus the bound minus one.
    const lateSeqs: number[] = [];
    let watermark = -Infinity;
    let maxTime = -Infinity;
    const all = rows(count, keys);
    for (let batch = 0; batch < count; batch += 256) {
      for (const [seq] of all.slice(batch, batch + 256)) {
        const t = ops.eventTimeOf(seq);
        const end = Math.floor(t / sizeMs) * sizeMs + sizeMs;
        if (end - 1 <= watermark) lateSeqs.push(seq);
        maxTime = Math.max(maxTime, t);
      }
      watermark = Math.max(watermark, maxTime - boundMs - 1);
    }
    expect(lateSeqs.length).toBeGreaterThan(0);
    const late = collected<Row>(result, 'late');
    expect(late.map(([seq]) => seq).sort((a, b) => a - b)).toEqual(lateSeqs.sort((a, b) => a - b));
    const counted = collected<string>(result, 'out').reduce((sum, line) => sum + Number(line.split(':')[3]), 0);
    expect(counted + late.length).toBe(count);
  });
});

describe('processing-time timers', () => {
  it('fire by the wall clock for the key that registered them, with the processing-time domain', async () => {
    const keys = 6;
    const pipeline = new Pipeline({ parallelism: 2 });
    pipeline
      // 400 records a second for a second: the 20 ms timers come due while records still flow.
      .source(generatorSource({ seed: SEED, count: 400, keys, ratePerSecond: 400 }), { name: 'gen' })
      .keyBy(1)
      .process<string>(ops.processingTimer, { name: 'timer', options: { delayMs: 20 } })
      .sink(collectSink<string>(), { name: 'out' });
    const result = await pipeline.execute();
    const expected = Array.from({ length: keys }, (_, key) => `${key}:processing-time`);
    expect([...collected<string>(result, 'out')].sort()).toEqual(expected.sort());
  });
});
