/**
 * What event time costs, in one run on the same generated records at parallelism 2:
 *
 * - `keyed/no-event-time`: generator → keyBy → keyed count (value state), no watermark strategy;
 * - `keyed/event-time`: the same with a bounded out-of-orderness strategy: every record carries
 *   its event time through the hash edge, watermarks follow each source batch;
 * - `window/<n>-keys`: generator → keyBy → tumbling 1 s event-time windows counting records, with
 *   n keys (10: windows of ~100 records; 1000: a window per record, the window operator's worst case).
 *
 *   npm run bench:event-time -- [--repetitions 3] [--records 2000000]
 *
 * Repetitions are interleaved, so background load hits every case alike; the rate is the median.
 * Writes bench/results/event-time.json.
 */
import { parseArgs } from 'node:util';
import { Pipeline, boundedOutOfOrderness, discardSink, generatorSource, tumblingWindows } from '../../src/index.js';
import { entry, formatSI, markdownTable, progress, reportContext, summarize, writeReport } from '../report.js';
import type { BenchmarkEntry } from '../report.js';
import { MAX_JITTER_MS, countRecords, generatorTime, keyedCount } from './event-time-ops.js';

const BENCHMARK = 'bench:event-time';
const RESULTS_FILE = 'bench/results/event-time.json';
const PARALLELISM = 2;

const { values: cli } = parseArgs({ options: { repetitions: { type: 'string', default: '3' }, records: { type: 'string', default: '2000000' } } });
const repetitions = Number(cli.repetitions);
const records = Number(cli.records);
if (!Number.isInteger(repetitions) || repetitions <= 0) throw new TypeError(`--repetitions must be a positive integer, got ${cli.repetitions}`);
if (!Number.isInteger(records) || records <= 0) throw new TypeError(`--records must be a positive integer, got ${cli.records}`);

interface Case {
  readonly name: string;
  readonly note: string;
  build(): Pipeline;
}

function source(pipeline: Pipeline, keys: number, eventTime: boolean) {
  return pipeline.source(generatorSource({ seed: 1, count: records, keys }), {
    name: 'gen',
    ...(eventTime ? { watermarks: boundedOutOfOrderness({ timestamp: generatorTime, maxOutOfOrdernessMs: MAX_JITTER_MS }) } : {}),
  });
}

const cases: Case[] = [
  {
    name: 'keyed/no-event-time',
    note: 'keyed count, no watermark strategy',
    build() {
      const pipeline = new Pipeline({ name: 'bench-event-time', parallelism: PARALLELISM });
      source(pipeline, 1000, false).keyBy(1).process(keyedCount, { name: 'count' }).sink(discardSink(), { name: 'sink' });
      return pipeline;
    },
  },
  {
    name: 'keyed/event-time',
    note: 'keyed count; records carry event times, watermarks after each source batch',
    build() {
      const pipeline = new Pipeline({ name: 'bench-event-time', parallelism: PARALLELISM });
      source(pipeline, 1000, true).keyBy(1).process(keyedCount, { name: 'count' }).sink(discardSink(), { name: 'sink' });
      return pipeline;
    },
  },
  ...[10, 1000].map((keys) => ({
    name: `window/${keys}-keys`,
    note: `tumbling 1 s windows counting records, ${keys} keys`,
    build() {
      const pipeline = new Pipeline({ name: 'bench-event-time', parallelism: PARALLELISM });
      source(pipeline, keys, true).keyBy(1).window(tumblingWindows(1000)).aggregate(countRecords, undefined, { name: 'count' }).sink(discardSink(), { name: 'sink' });
      return pipeline;
    },
  })),
];

async function main(): Promise<void> {
  const startedAt = performance.now();
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const c of cases) {
      const started = performance.now();
      const result = await c.build().execute();
      const ms = performance.now() - started;
      const count = result.operators['count']!.recordsIn;
      if (count !== records) throw new Error(`${c.name}: the counting operator saw ${count} records, not ${records}`);
      rates.get(c.name)!.push((records / ms) * 1000);
      progress(BENCHMARK, startedAt, `${c.name} #${repetition + 1}: ${formatSI((records / ms) * 1000)} records/s`);
    }
  }
  const entries: BenchmarkEntry[] = cases.map((c) => entry(`event-time/${c.name}`, 'records/s', summarize(rates.get(c.name)!), `parallelism ${PARALLELISM}, ${records} records; ${c.note}`));
  console.log(markdownTable(['case', 'records/s:', 'min..max:'], entries.map((e) => [e.name, formatSI(e.value), e.range])));
  const written = writeReport(RESULTS_FILE, { ...reportContext(), parameters: { repetitions, records, parallelism: PARALLELISM }, entries });
  progress(BENCHMARK, startedAt, `wrote ${written}`);
}

await main();
