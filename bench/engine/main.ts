/**
 * The engine benchmark, side by side in one run on the same records and functions:
 *
 * - numeric records `[seq, key, value]` (fixed-layout fast path) and object records
 *   `{ seq, key, value }` through source → map → keyBy → reduce → sink: sluice at parallelism 1,
 *   2 and the machine's cores; Node's `stream.pipeline` of object-mode streams; a plain loop in
 *   one thread calling the same functions (the limit); and the two-thread pipeline a Node user
 *   would write by hand (worker threads posting batches of 1000 records);
 * - word count over a generated text: the bundled `word-count` example through sluice, and the
 *   naive single-threaded script (read, regex, lower-case, Map).
 *
 *   npm run bench:engine -- [--repetitions 3] [--numeric-records 8000000] [--object-records 3000000]
 *                           [--text-mb 20] [--keys 1000] [--high-water-mark 16] [--filter sluice/numeric]
 *
 * A sluice figure is records ÷ the job's duration, including the job's start (its threads are
 * kept between jobs, so after the first job that is a few milliseconds; the cold start is
 * measured apart, in a fresh process). Next to the rate, each case reports the CPU time of the
 * whole process (every thread) per record: it depends far less than the rate on what else the
 * machine runs, and bounds the rate an idle machine would reach (threads ÷ CPU time per record).
 * Repetitions are interleaved (every case once, then every case again), so a change in
 * background load hits every case alike. Every run's output is checked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OBJECT_RECORDS, Pipeline, numericRecords, recordSchema } from '../../src/index.js';
import type { FunctionDefinition, JobResult, MapDefinition, RecordShape, ReduceDefinition } from '../../src/index.js';
import {
  entry,
  formatPercent,
  formatSI,
  markdownTable,
  progress,
  reportContext,
  summarize,
  writeReport,
} from '../report.js';
import type { BenchmarkEntry, Summary } from '../report.js';
import { expectedSinkResult, hrtimeMs, numericMap, numericSink, numericSource, numericSum, objectMap, objectSink, objectSource, objectSum } from './ops.js';
import type { BenchSinkResult, NumericRecord, ObjectRecord } from './ops.js';
import { runPlainLoop } from './plain-loop.js';
import { runPostMessagePipeline } from './postmessage-pipeline.js';
import { runStreamPipeline } from './stream-baseline.js';
import type { BaselineOperators, BaselineRun } from './stream-baseline.js';
import { generateText, runNaiveWordCount, runSluiceWordCount } from './word-count.js';

const BENCHMARK = 'bench:engine';
const RESULTS_FILE = 'bench/results/engine.json';

const { values: cli } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '3' },
    'numeric-records': { type: 'string', default: '8000000' },
    'object-records': { type: 'string', default: '3000000' },
    'text-mb': { type: 'string', default: '20' },
    keys: { type: 'string', default: '1000' },
    'high-water-mark': { type: 'string' },
    filter: { type: 'string' },
    'cold-start': { type: 'string' },
  },
});

const repetitions = positiveInteger('repetitions', cli.repetitions);
const numericCount = positiveInteger('numeric-records', cli['numeric-records']);
const objectCount = positiveInteger('object-records', cli['object-records']);
const textBytes = positiveInteger('text-mb', cli['text-mb']) * 1e6;
const keys = positiveInteger('keys', cli.keys);
/** Records each stream of the baseline buffers; Node's default for object mode when not given. */
const highWaterMark = cli['high-water-mark'] === undefined ? undefined : positiveInteger('high-water-mark', cli['high-water-mark']);
const filter = cli.filter;
const cores = os.cpus().length;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`--${name} must be a positive integer, got ${text}`);
  return value;
}

type Shape = 'numeric' | 'object' | 'object-msgpack';
type Workload = Shape | 'word-count';

/** The functions of one record shape, for both engines. */
interface ShapeOperators {
  readonly shape: RecordShape;
  readonly key: string | number;
  readonly count: number;
  readonly baseline: BaselineOperators<unknown>;
}

const SHAPES: Record<Shape, ShapeOperators> = {
  numeric: {
    shape: numericRecords(3),
    key: 1,
    count: numericCount,
    baseline: erase<NumericRecord>({ source: numericSource, map: numericMap, reduce: numericSum, sink: numericSink, keyOf: (record) => record[1] }),
  },
  // Object records with their schema declared: the columnar codec, as a user would write it.
  object: {
    shape: recordSchema({ seq: 'number', key: 'string', value: 'number' }),
    key: 'key',
    count: objectCount,
    baseline: erase<ObjectRecord>({ source: objectSource, map: objectMap, reduce: objectSum, sink: objectSink, keyOf: (record) => record.key }),
  },
  // The same records without a schema: msgpackr, the fallback.
  'object-msgpack': {
    shape: OBJECT_RECORDS,
    key: 'key',
    count: objectCount,
    baseline: erase<ObjectRecord>({ source: objectSource, map: objectMap, reduce: objectSum, sink: objectSink, keyOf: (record) => record.key }),
  },
};

function erase<T>(operators: BaselineOperators<T>): BaselineOperators<unknown> {
  return operators as unknown as BaselineOperators<unknown>;
}

// ---- Running one case ----------------------------------------------------------------------

/** One run of a case: how long it took for how many records (or words), and whether its output was right. */
interface Run {
  readonly records: number;
  readonly durationMs: number;
  /** CPU time of the process (all threads) during the run, in milliseconds. */
  readonly cpuMs: number;
  /** Why the output is wrong, or undefined when it is right. */
  readonly wrong: string | undefined;
}

/** Runs `body` and adds the process's CPU time (user + system, all threads) it took. */
async function withCpuTime(body: () => Promise<Omit<Run, 'cpuMs'>>): Promise<Run> {
  const before = process.cpuUsage();
  const run = await body();
  const used = process.cpuUsage(before);
  return { ...run, cpuMs: (used.user + used.system) / 1000 };
}

/** Why a benchmark sink's result is not that of `count` records over `keys` keys, or undefined. */
function checkSink(count: number, sink: BenchSinkResult): string | undefined {
  const expected = expectedSinkResult(count, keys);
  if (sink.records === expected.records && sink.total === expected.total && sink.keys === expected.keys) return undefined;
  return `the sinks saw ${JSON.stringify(sink)}, expected ${JSON.stringify(expected)}`;
}

async function runSluice(shape: Shape, parallelism: number, count: number): Promise<Run & { firstRecordMs: number }> {
  let firstRecordMs = 0;
  const run = await withCpuTime(async () => {
    const started = hrtimeMs();
    const result = await executeSluice(shape, parallelism, count);
    const parts = (result.sinks['sink'] ?? []) as BenchSinkResult[];
    const merged = parts.reduce<BenchSinkResult>(
      (sum, part) => ({ records: sum.records + part.records, total: sum.total + part.total, keys: sum.keys + part.keys }),
      { records: 0, total: 0, keys: 0 },
    );
    firstRecordMs = Math.min(...parts.map((part) => part.firstRecordAt ?? Infinity)) - started;
    return { records: count, durationMs: result.durationMs, wrong: checkSink(count, merged) };
  });
  return { ...run, firstRecordMs };
}

async function executeSluice(shape: Shape, parallelism: number, count: number): Promise<JobResult> {
  const { shape: recordShape, key } = SHAPES[shape];
  const pipeline = new Pipeline({ name: `bench-engine-${shape}-p${parallelism}`, parallelism });
  const [source, map, reduce, sink] =
    shape === 'numeric' ? [numericSource, numericMap, numericSum, numericSink] : [objectSource, objectMap, objectSum, objectSink];
  pipeline
    .source({ fn: source as FunctionDefinition<'source'>, options: { count, keys }, name: 'source', shape: recordShape }, { name: 'source' })
    .map(map as MapDefinition<unknown, unknown>, { name: 'map', returns: recordShape }) // one of two record types, chosen at run time
    .keyBy(key)
    .reduce(reduce as ReduceDefinition<unknown>, { name: 'reduce' })
    .sink({ fn: sink, options: null, name: 'sink' }, { name: 'sink' });
  return pipeline.execute();
}

function baselineRun(count: number, body: () => Promise<BaselineRun>): Promise<Run> {
  return withCpuTime(async () => {
    const run = await body();
    return { records: count, durationMs: run.durationMs, wrong: checkSink(count, run.result) };
  });
}

interface CaseSpec {
  readonly name: string;
  readonly workload: Workload;
  /** Threads the case keeps busy: sluice's slots, 2 for the hand-written pipeline, else 1. */
  readonly threads: number;
  readonly note: string;
  readonly run: () => Promise<Run>;
}

/** The word-count text and the counts every run must write. */
interface WordCountInput {
  readonly dir: string;
  readonly text: string;
  readonly words: number;
  readonly distinct: number;
}

function wordCountRun(input: WordCountInput, body: (output: string) => ReturnType<typeof runNaiveWordCount>): Promise<Run> {
  return withCpuTime(async () => {
    const run = await body(path.join(input.dir, 'counts.txt'));
    const wrong =
      run.words === input.words && run.distinct === input.distinct
        ? undefined
        : `counted ${run.words} words (${run.distinct} distinct), the naive script ${input.words} (${input.distinct})`;
    return { records: run.words, durationMs: run.durationMs, wrong };
  });
}

function caseSpecs(text: WordCountInput | undefined): CaseSpec[] {
  const parallelisms = [...new Set([1, 2, cores])];
  const specs: CaseSpec[] = [];
  for (const shape of ['numeric', 'object', 'object-msgpack'] as const) {
    const count = SHAPES[shape].count;
    if (shape === 'object-msgpack') {
      // Only what the schema saves: the rest of the cases are those of 'object'.
      specs.push({
        name: 'sluice/object-msgpack/p2',
        workload: shape,
        threads: 2,
        note: 'object records without a declared schema (msgpackr)',
        run: () => runSluice(shape, 2, count),
      });
      continue;
    }
    for (const parallelism of parallelisms) {
      specs.push({
        name: `sluice/${shape}/p${parallelism}`,
        workload: shape,
        threads: parallelism,
        note: `${parallelism} thread(s), each running source+map and reduce+sink subtasks`,
        run: () => runSluice(shape, parallelism, count),
      });
    }
    specs.push({
      name: `stream.pipeline/${shape}`,
      workload: shape,
      threads: 1,
      note: `one thread, object-mode streams, highWaterMark ${highWaterMark ?? "Node's default"}`,
      run: () => baselineRun(count, () => runStreamPipeline(SHAPES[shape].baseline, { count, keys }, highWaterMark)),
    });
    specs.push({
      name: `plain-loop/${shape}`,
      workload: shape,
      threads: 1,
      note: 'one thread calling the same functions in a loop: the limit',
      run: () => baselineRun(count, () => runPlainLoop(SHAPES[shape].baseline, { count, keys })),
    });
    specs.push({
      name: `postmessage-2-threads/${shape}`,
      workload: shape,
      threads: 2,
      note: 'hand-written: a worker runs source+map and posts batches of 1000 records to a worker running reduce+sink',
      run: () => baselineRun(count, () => runPostMessagePipeline(shape, { count, keys })),
    });
  }
  if (text) {
    for (const parallelism of parallelisms) {
      specs.push({
        name: `sluice/word-count/p${parallelism}`,
        workload: 'word-count',
        threads: parallelism,
        note: `the bundled word-count example at parallelism ${parallelism} (file source, split, keyed count, file sink)`,
        run: () => wordCountRun(text, (output) => runSluiceWordCount(text.text, output, parallelism)),
      });
    }
    specs.push({
      name: 'naive-script/word-count',
      workload: 'word-count',
      threads: 1,
      note: 'one thread: read the file, regex, lower-case, Map, write',
      run: () => wordCountRun(text, (output) => runNaiveWordCount(text.text, output)),
    });
  }
  return specs;
}

/** Starts a fresh process that runs one small job at `parallelism`: the start of a first job, threads and imports included. */
function coldStart(parallelism: number): { durationMs: number; firstRecordMs: number } {
  const script = fileURLToPath(import.meta.url);
  const output = execFileSync(process.execPath, [script, '--cold-start', String(parallelism)], { encoding: 'utf8' });
  return JSON.parse(output) as { durationMs: number; firstRecordMs: number };
}

// ---- The run -------------------------------------------------------------------------------

/** One measured case of the table. */
interface Measurement {
  readonly spec: CaseSpec;
  readonly rate: Summary;
  readonly durationMs: Summary;
  /** CPU time of the process per record (or word), nanoseconds. */
  readonly cpuNanosPerRecord: Summary;
}

function unitOf(workload: Workload): string {
  return workload === 'word-count' ? 'words/s' : 'records/s';
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadBefore = os.loadavg();
  const wanted = (name: string) => filter === undefined || name.includes(filter);

  let text: WordCountInput | undefined;
  const textDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-words-'));
  const placeholder: WordCountInput = { dir: textDir, text: '', words: 0, distinct: 0 };
  if (caseSpecs(placeholder).some((spec) => spec.workload === 'word-count' && wanted(spec.name))) {
    const file = path.join(textDir, 'text.txt');
    generateText(file, textBytes);
    const reference = await runNaiveWordCount(file, path.join(textDir, 'reference.txt'));
    text = { dir: textDir, text: file, words: reference.words, distinct: reference.distinct };
  }
  const specs = caseSpecs(text).filter((spec) => wanted(spec.name));
  progress(
    BENCHMARK,
    startedAt,
    `${repetitions} interleaved repetitions; ${formatSI(numericCount)} numeric and ${formatSI(objectCount)} object records, ${keys} keys` +
      (text ? `; ${formatSI(text.words)} words of text (${(textBytes / 1e6).toFixed(0)} MB, ${formatSI(text.distinct)} distinct)` : ''),
  );

  // The start of a first job in a fresh process (threads, module imports), then a warm-up of
  // every case so that later runs reuse sluice's threads and the baselines' compiled code.
  const coldStarts = new Map<number, Summary>();
  // With --filter (a profile, a quick look) only the cases asked for run.
  for (const parallelism of filter === undefined ? [1, 2] : []) {
    const samples = Array.from({ length: repetitions }, () => coldStart(parallelism));
    coldStarts.set(parallelism, summarize(samples.map((sample) => sample.firstRecordMs)));
    progress(
      BENCHMARK,
      startedAt,
      `cold start p${parallelism}: first record at the sink after ${coldStarts.get(parallelism)!.median.toFixed(1)} ms (median of ${repetitions} fresh processes)`,
    );
  }
  for (const spec of specs) if (spec.workload !== 'word-count') await spec.run();

  const runs = new Map<CaseSpec, Run[]>(specs.map((spec) => [spec, []]));
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const spec of specs) {
      const run = await spec.run();
      if (run.wrong) throw new Error(`${spec.name}: ${run.wrong}`);
      runs.get(spec)!.push(run);
      progress(
        BENCHMARK,
        startedAt,
        `${spec.name} #${repetition}: ${formatSI((run.records / run.durationMs) * 1000)} ${unitOf(spec.workload)} (${run.durationMs.toFixed(0)} ms), ` +
          `${((run.cpuMs * 1e6) / run.records).toFixed(0)} ns CPU each, load average ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
  }
  rmSync(textDir, { recursive: true, force: true });

  const measurements: Measurement[] = specs.map((spec) => {
    const samples = runs.get(spec)!;
    return {
      spec,
      durationMs: summarize(samples.map((run) => run.durationMs)),
      rate: summarize(samples.map((run) => (run.records / run.durationMs) * 1000)),
      cpuNanosPerRecord: summarize(samples.map((run) => (run.cpuMs * 1e6) / run.records)),
    };
  });
  const loadAverage = { before: loadBefore[0]!, after: os.loadavg()[0]! };
  const ratios = trackedRatios(measurements);
  printTable(measurements, ratios, coldStarts, loadAverage);
  if (filter !== undefined) {
    progress(BENCHMARK, startedAt, `--filter given: ${RESULTS_FILE} not written`);
    return;
  }

  const results: BenchmarkEntry[] = measurements.map((measurement) => {
    const { spec, rate, durationMs, cpuNanosPerRecord } = measurement;
    const extra =
      `${rate.samples.length} repetitions, median ${durationMs.median.toFixed(0)} ms, spread ${formatPercent(rate.spread)}; ` +
      `CPU ${cpuNanosPerRecord.median.toFixed(0)} ns per ${spec.workload === 'word-count' ? 'word' : 'record'} ` +
      `(all threads, ${cpuNanosPerRecord.min.toFixed(0)}..${cpuNanosPerRecord.max.toFixed(0)}); ` +
      `${formatSI((Math.min(cores, spec.threads) * 1e9) / cpuNanosPerRecord.median)} on an idle machine at this CPU time; ${spec.note}`;
    return entry(spec.name, unitOf(spec.workload), rate, extra);
  });
  for (const ratio of ratios) {
    if (ratio.value === undefined) continue;
    const bound = ratio.idleBound === undefined ? '' : `; idle-machine bound from CPU time per record ${ratio.idleBound.toPrecision(3)}x`;
    results.push({ name: ratio.name, unit: 'x', value: Number(ratio.value.toPrecision(4)), range: '', extra: `${ratio.description}; target ${ratio.target}${bound}` });
  }
  const written = writeReport(RESULTS_FILE, {
    ...reportContext(),
    parameters: {
      repetitions,
      numericRecords: numericCount,
      objectRecords: objectCount,
      textBytes,
      words: text?.words,
      keys,
      streamHighWaterMark: highWaterMark ?? 'default',
      cpus: cores,
      loadAverage,
      coldStartFirstRecordMs: Object.fromEntries([...coldStarts].map(([parallelism, summary]) => [`p${parallelism}`, summary.median])),
    },
    entries: results,
  });
  progress(BENCHMARK, startedAt, `wrote ${written}`);
}

/** A ratio the project tracks, from medians measured in this run. */
interface TrackedRatio {
  readonly name: string;
  readonly description: string;
  readonly target: string;
  readonly minimum: number;
  readonly value: number | undefined;
  /**
   * The most the ratio could be on this machine with nothing else running: every core each case
   * can use kept busy at the CPU time per record measured (which other load inflates far less
   * than wall time).
   */
  readonly idleBound: number | undefined;
}

function trackedRatios(measurements: readonly Measurement[]): TrackedRatio[] {
  const find = (name: string): Measurement | undefined => measurements.find((measurement) => measurement.spec.name === name);
  const median = (name: string): number | undefined => find(name)?.rate.median;
  const idleRate = (name: string): number | undefined => {
    const measurement = find(name);
    return measurement && (Math.min(cores, measurement.spec.threads) * 1e9) / measurement.cpuNanosPerRecord.median;
  };
  const tracked = (name: string, numerator: string, denominator: string, factor: number, target: string, minimum: number): TrackedRatio => {
    const divide = (top: number | undefined, bottom: number | undefined) =>
      top === undefined || bottom === undefined ? undefined : top / (bottom * factor);
    return {
      name,
      description: `${numerator} ÷ ${factor === 1 ? '' : `${factor} × `}${denominator}`,
      target,
      minimum,
      value: divide(median(numerator), median(denominator)),
      idleBound: divide(idleRate(numerator), idleRate(denominator)),
    };
  };
  return [
    tracked('ratio/word-count-p2-vs-naive-script', 'sluice/word-count/p2', 'naive-script/word-count', 1, '≥ 1.5x', 1.5),
    tracked('ratio/numeric-p2-vs-p1', 'sluice/numeric/p2', 'sluice/numeric/p1', 1, '≥ 1.6x', 1.6),
    tracked('ratio/object-p2-vs-p1', 'sluice/object/p2', 'sluice/object/p1', 1, '≥ 1.6x', 1.6),
    tracked('ratio/numeric-p2-vs-stream.pipeline', 'sluice/numeric/p2', 'stream.pipeline/numeric', 1, '≥ 3x', 3),
    tracked('ratio/object-p2-vs-stream.pipeline', 'sluice/object/p2', 'stream.pipeline/object', 1, '≥ 1.5x', 1.5),
    tracked('ratio/numeric-p2-vs-2x-plain-loop', 'sluice/numeric/p2', 'plain-loop/numeric', 2, '≥ 0.4x', 0.4),
    tracked('ratio/numeric-p2-vs-postmessage', 'sluice/numeric/p2', 'postmessage-2-threads/numeric', 1, '(no target)', 0),
    tracked('ratio/object-p2-vs-postmessage', 'sluice/object/p2', 'postmessage-2-threads/object', 1, '(no target)', 0),
    tracked('ratio/object-schema-vs-msgpack-p2', 'sluice/object/p2', 'sluice/object-msgpack/p2', 1, '(no target)', 0),
  ].filter((ratio) => ratio.value !== undefined);
}

function printTable(
  measurements: readonly Measurement[],
  ratios: readonly TrackedRatio[],
  coldStarts: ReadonlyMap<number, Summary>,
  loadAverage: { readonly before: number; readonly after: number },
): void {
  const rows = measurements.map(({ spec, rate, durationMs, cpuNanosPerRecord }) => [
    spec.name,
    formatSI(rate.median),
    unitOf(spec.workload),
    `${formatSI(rate.min)}..${formatSI(rate.max)}`,
    formatPercent(rate.spread),
    durationMs.median.toFixed(0),
    cpuNanosPerRecord.median.toFixed(0),
    String(spec.threads),
  ]);
  const lines = [
    markdownTable(['case', 'rate:', 'unit', 'min..max:', 'spread:', 'ms:', 'CPU ns each:', 'threads:'], rows),
    '',
    markdownTable(
      ['tracked ratio', 'measured:', 'target:', '', 'idle-machine bound:'],
      ratios.map((ratio) => [
        ratio.description,
        `${ratio.value!.toPrecision(3)}x`,
        ratio.target,
        ratio.minimum === 0 ? '' : ratio.value! >= ratio.minimum ? 'met' : 'MISSED',
        ratio.idleBound === undefined ? 'n/a' : `${ratio.idleBound.toPrecision(3)}x`,
      ]),
    ),
    '',
    `${repetitions} interleaved repetitions per case; the rate is the median, min..max the extremes. ` +
      'CPU ns each: CPU time of every thread of the process per record (or word). ' +
      'Idle-machine bound: the ratio if every core each case can use ran it at that CPU time. ' +
      `Cold start (a fresh process, first record at the sink): ` +
      [...coldStarts].map(([parallelism, summary]) => `p${parallelism} ${summary.median.toFixed(0)} ms`).join(', ') +
      `. Load average ${loadAverage.before.toFixed(1)} before, ${loadAverage.after.toFixed(1)} after, on ${cores} CPUs.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `--cold-start <p>`: this process only runs one small first job at parallelism p and prints its start. */
async function coldStartChild(parallelism: number): Promise<void> {
  const run = await runSluice('numeric', parallelism, 1000);
  if (run.wrong) throw new Error(`cold start: ${run.wrong}`);
  process.stdout.write(`${JSON.stringify({ durationMs: run.durationMs, firstRecordMs: run.firstRecordMs })}\n`);
}

if (cli['cold-start'] !== undefined) await coldStartChild(positiveInteger('cold-start', cli['cold-start']));
else await main();
