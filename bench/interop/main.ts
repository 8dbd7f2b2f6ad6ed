/**
 * The Node interop connectors against the limit: records per second from an async generator of
 * the main thread, through a sluice job and back to the main thread.
 *
 * - `for-await` : the generator alone, consumed by a `for await` loop (the limit of the input);
 * - `results`   : iterableSource -> resultsSink, taken with `for await (job.results())`;
 * - `results+checkpoints`: the same with aligned checkpoints every 100 ms (records are held until
 *   their checkpoint completed);
 * - `collect`   : iterableSource -> collectSink (records come back with the job's result);
 * - `writable`  : iterableSource -> writableSink into a Writable that drops what it gets.
 *
 *   npm run bench:interop -- [--records 1000000] [--repetitions 3]
 *
 * Repetitions are interleaved (every case once, then every case again); each figure is the median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Pipeline, collectSink, collected, iterableSource, resultsSink, writableSink } from '../../src/index.js';
import { entry, formatSI, markdownTable, progress, reportContext, summarize, writeReport } from '../report.js';
import type { BenchmarkEntry } from '../report.js';

const BENCHMARK = 'interop';
const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, repetitions: { type: 'string', default: '3' } } });
const records = Number(values.records);
const repetitions = Number(values.repetitions);

async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i;
}

const checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-interop-'));

/** Each case runs once over `records` numbers and returns how many it saw. */
const cases: Record<string, () => Promise<number>> = {
  'for-await': async () => {
    let seen = 0;
    for await (const _ of numbers(records)) seen++;
    return seen;
  },
  results: async () => {
    const pipeline = new Pipeline({ name: 'bench-results' });
    pipeline.source(iterableSource(numbers(records))).sink(resultsSink<number>());
    let seen = 0;
    for await (const _ of pipeline.start().results()) seen++;
    return seen;
  },
  'results+checkpoints': async () => {
    const pipeline = new Pipeline({ name: 'bench-results-checkpoints' });
    pipeline.source(iterableSource(numbers(records))).sink(resultsSink<number>());
    let seen = 0;
    const job = pipeline.start({ checkpoints: { mode: 'aligned', intervalMs: 100, dir: checkpointDir } });
    for await (const _ of job.results()) seen++;
    await job.done;
    return seen;
  },
  collect: async () => {
    const pipeline = new Pipeline({ name: 'bench-collect' });
    pipeline.source(iterableSource(numbers(records))).sink(collectSink<number>(), { name: 'out' });
    return collected(await pipeline.execute(), 'out').length;
  },
  writable: async () => {
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    });
    const pipeline = new Pipeline({ name: 'bench-writable' });
    pipeline.source(iterableSource(numbers(records))).sink(writableSink(sink));
    await pipeline.execute();
    return bytes > 0 ? records : 0;
  },
};

const startedAt = performance.now();
const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
for (let repetition = 1; repetition <= repetitions; repetition++) {
  for (const [name, run] of Object.entries(cases)) {
    const started = performance.now();
    const seen = await run();
    const seconds = (performance.now() - started) / 1000;
    if (seen !== records) throw new Error(`${name} saw ${seen} records, not ${records}`);
    samples.get(name)!.push(records / seconds);
  }
  progress(BENCHMARK, startedAt, `repetition ${repetition}/${repetitions} done`);
}
rmSync(checkpointDir, { recursive: true, force: true });

const entries: BenchmarkEntry[] = [];
const rows: string[][] = [];
const limit = summarize(samples.get('for-await')!).median;
for (const [name, rates] of samples) {
  const summary = summarize(rates);
  entries.push(entry(name, 'records/s', summary, `${formatSI(records)} numbers from an async generator, ${repetitions} repetitions, median`));
  rows.push([name, formatSI(summary.median), `${formatSI(summary.min)}..${formatSI(summary.max)}`, `${(summary.median / limit).toFixed(2)}x`]);
}
const written = writeReport('bench/results/interop.json', { ...reportContext(), parameters: { records, repetitions }, entries });
process.stdout.write(`${markdownTable(['case', 'records/s:', 'range:', 'of for-await:'], rows)}\n\nwritten to ${written}\n`);
