/**
 * The engine benchmark: records/s of source → map → keyBy → reduce → sink through sluice
 * at parallelism 1 and 2, numeric records on the fixed-layout fast path and object records
 * through msgpackr, against the same records and functions through Node's `stream.pipeline`
 * of object-mode streams in one thread, all in one run. Writes bench/results/engine.json and
 * prints a Markdown table with the ratios the project tracks.
 *
 *   npm run bench:engine -- [--repetitions 3] [--numeric-records 8000000] [--object-records 3000000]
 *                           [--keys 1000] [--high-water-mark 16] [--filter sluice/numeric]
 *
 * A sluice figure is records ÷ the job result's durationMs, which includes starting the
 * job's worker pool; that fixed cost is measured apart, on a job of 1000 records, and shown
 * in each entry's `extra` with the rate net of it. Next to the rate, each case reports the CPU
 * time of the whole process (every thread) per record: it depends far less than the rate on
 * what else the machine runs, and bounds the rate an idle machine would reach (cores ÷ CPU
 * time per record). Repetitions are interleaved (every case once, then every case again), so
 * a change in background load hits every case alike. Every run's sink results are checked:
 * record count, distinct keys and the sum of the reduced values.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { OBJECT_RECORDS, Pipeline, numericRecords } from '../../src/index.js';
import type { FunctionDefinition, JobResult, RecordShape } from '../../src/index.js';
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
import { expectedSinkResult, numericMap, numericSink, numericSource, numericSum, objectMap, objectSink, objectSource, objectSum } from './ops.js';
import type { BenchSinkResult, NumericRecord, ObjectRecord } from './ops.js';
import { runStreamPipeline } from './stream-baseline.js';
import type { BaselineOperators, BaselineRun } from './stream-baseline.js';

const BENCHMARK = 'bench:engine';
const RESULTS_FILE = 'bench/results/engine.json';
/** Records of the job that measures the fixed cost of a job (pool start, module loading). */
const STARTUP_RECORDS = 1000;

const { values: cli } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '3' },
    'numeric-records': { type: 'string', default: '8000000' },
    'object-records': { type: 'string', default: '3000000' },
    keys: { type: 'string', default: '1000' },
    'high-water-mark': { type: 'string' },
    filter: { type: 'string' },
  },
});
const repetitions = positiveInteger('repetitions', cli.repetitions);
const numericCount = positiveInteger('numeric-records', cli['numeric-records']);
const objectCount = positiveInteger('object-records', cli['object-records']);
const keys = positiveInteger('keys', cli.keys);
/** Records each stream of the baseline buffers; Node's default for object mode when not given. */
const highWaterMark = cli['high-water-mark'] === undefined ? undefined : positiveInteger('high-water-mark', cli['high-water-mark']);
const filter = cli.filter;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`--${name} must be a positive integer, got ${text}`);
  return value;
}

type Shape = 'numeric' | 'object';

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
  object: {
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

/** One run of a case: how long it took for how many records, and what its sinks saw. */
interface Run {
  readonly records: number;
  readonly durationMs: number;
  /** CPU time of the process (all threads) during the run, in milliseconds. */
  readonly cpuMs: number;
  readonly sink: BenchSinkResult;
}

/** Runs `body` and adds the process's CPU time (user + system, all threads) it took. */
async function withCpuTime(body: () => Promise<Omit<Run, 'cpuMs'>>): Promise<Run> {
  const before = process.cpuUsage();
  const run = await body();
  const used = process.cpuUsage(before);
  return { ...run, cpuMs: (used.user + used.system) / 1000 };
}

function runSluice(shape: Shape, parallelism: number, count: number): Promise<Run> {
  return withCpuTime(async () => {
    const result = await executeSluice(shape, parallelism, count);
    const parts = (result.sinks['sink'] ?? []) as BenchSinkResult[];
    const merged = parts.reduce<BenchSinkResult>(
      (sum, part) => ({ records: sum.records + part.records, total: sum.total + part.total, keys: sum.keys + part.keys }),
      { records: 0, total: 0, keys: 0 },
    );
    return { records: count, durationMs: result.durationMs, sink: merged };
  });
}

async function executeSluice(shape: Shape, parallelism: number, count: number): Promise<JobResult> {
  const { shape: recordShape, key } = SHAPES[shape];
  const pipeline = new Pipeline({ name: `bench-engine-${shape}-p${parallelism}`, parallelism });
  const [source, map, reduce, sink] =
    shape === 'numeric' ? [numericSource, numericMap, numericSum, numericSink] : [objectSource, objectMap, objectSum, objectSink];
  pipeline
    .source({ fn: source as FunctionDefinition<'source'>, options: { count, keys }, name: 'source', shape: recordShape }, { name: 'source' })
    .map(map, { name: 'map', returns: recordShape })
    .keyBy(key)
    .reduce(reduce, { name: 'reduce' })
    .sink({ fn: sink, options: null, name: 'sink' }, { name: 'sink' });
  return pipeline.execute();
}

function runBaseline(shape: Shape, count: number): Promise<Run> {
  return withCpuTime(async () => {
    const run: BaselineRun = await runStreamPipeline(SHAPES[shape].baseline, { count, keys }, highWaterMark);
    return { records: count, durationMs: run.durationMs, sink: run.result };
  });
}

/** Throws unless every record reached the sink and the reduced sums are right. */
function verify(name: string, run: Run): void {
  const expected = expectedSinkResult(run.records, keys);
  const { sink } = run;
  if (sink.records !== expected.records || sink.total !== expected.total || sink.keys !== expected.keys) {
    throw new Error(`${name}: the sinks saw ${JSON.stringify(sink)}, expected ${JSON.stringify(expected)}`);
  }
}

interface CaseSpec {
  readonly name: string;
  readonly shape: Shape;
  /** Threads the case uses: sluice's subtasks, or 1. */
  readonly parallelism: number;
  readonly note: string;
  readonly run: (count: number) => Promise<Run>;
}

function caseSpecs(): CaseSpec[] {
  const specs: CaseSpec[] = [];
  for (const shape of ['numeric', 'object'] as const) {
    for (const parallelism of [1, 2]) {
      specs.push({
        name: `sluice/${shape}/p${parallelism}`,
        shape,
        parallelism,
        note: `${2 * parallelism} subtasks: ${parallelism} × source+map, ${parallelism} × reduce+sink`,
        run: (count) => runSluice(shape, parallelism, count),
      });
    }
    specs.push({
      name: `stream.pipeline/${shape}`,
      shape,
      parallelism: 1,
      note: `one thread, object-mode streams, highWaterMark ${highWaterMark ?? "Node's default"}`,
      run: (count) => runBaseline(shape, count),
    });
  }
  return specs;
}

// ---- The run -------------------------------------------------------------------------------

/** One measured case of the table. */
interface Measurement {
  readonly spec: CaseSpec;
  readonly recordsPerSecond: Summary;
  readonly durationMs: Summary;
  /** CPU time of the process per record, nanoseconds. */
  readonly cpuNanosPerRecord: Summary;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadBefore = os.loadavg();
  const specs = caseSpecs().filter((spec) => filter === undefined || spec.name.includes(filter));
  progress(
    BENCHMARK,
    startedAt,
    `${repetitions} interleaved repetitions; ${formatSI(numericCount)} numeric and ${formatSI(objectCount)} object records, ${keys} keys`,
  );

  // The fixed cost of a sluice job, and a warm-up of the baseline's code in this thread.
  const startupMs = new Map<number, Summary>();
  for (const parallelism of [1, 2]) {
    const samples: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const run = await runSluice('numeric', parallelism, STARTUP_RECORDS);
      verify(`startup/p${parallelism}`, run);
      samples.push(run.durationMs);
    }
    startupMs.set(parallelism, summarize(samples));
    progress(BENCHMARK, startedAt, `startup/p${parallelism}: a ${STARTUP_RECORDS}-record job takes ${summarize(samples).median.toFixed(1)} ms`);
  }
  for (const shape of ['numeric', 'object'] as const) verify(`warm-up/${shape}`, await runBaseline(shape, SHAPES[shape].count / 10));

  const runs = new Map<CaseSpec, Run[]>(specs.map((spec) => [spec, []]));
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const spec of specs) {
      const count = SHAPES[spec.shape].count;
      const run = await spec.run(count);
      verify(spec.name, run);
      runs.get(spec)!.push(run);
      progress(
        BENCHMARK,
        startedAt,
        `${spec.name} #${repetition}: ${formatSI((count / run.durationMs) * 1000)} records/s (${run.durationMs.toFixed(0)} ms), ` +
          `${((run.cpuMs * 1e6) / count).toFixed(0)} ns CPU/record, load average ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
  }

  const measurements: Measurement[] = specs.map((spec) => {
    const samples = runs.get(spec)!;
    const count = SHAPES[spec.shape].count;
    return {
      spec,
      durationMs: summarize(samples.map((run) => run.durationMs)),
      recordsPerSecond: summarize(samples.map((run) => (count / run.durationMs) * 1000)),
      cpuNanosPerRecord: summarize(samples.map((run) => (run.cpuMs * 1e6) / count)),
    };
  });
  const loadAverage = { before: loadBefore[0]!, after: os.loadavg()[0]! };
  const ratios = trackedRatios(measurements);
  printTable(measurements, ratios, startupMs, loadAverage);
  if (filter !== undefined) {
    progress(BENCHMARK, startedAt, `--filter given: ${RESULTS_FILE} not written`);
    return;
  }

  const results: BenchmarkEntry[] = measurements.map((measurement) => {
    const { spec, recordsPerSecond, durationMs, cpuNanosPerRecord } = measurement;
    const count = SHAPES[spec.shape].count;
    let extra =
      `${recordsPerSecond.samples.length} repetitions of ${formatSI(count)} records, ${keys} keys, ` +
      `median ${durationMs.median.toFixed(0)} ms, spread ${formatPercent(recordsPerSecond.spread)}; ` +
      `CPU ${cpuNanosPerRecord.median.toFixed(0)} ns/record (all threads, ${cpuNanosPerRecord.min.toFixed(0)}..${cpuNanosPerRecord.max.toFixed(0)}); ${spec.note}`;
    if (spec.name.startsWith('sluice/')) {
      const startup = startupMs.get(spec.parallelism)!;
      extra +=
        `; includes a fixed job startup of ${startup.median.toFixed(0)} ms ` +
        `(a ${STARTUP_RECORDS}-record job, ${startup.min.toFixed(0)}..${startup.max.toFixed(0)} ms), ` +
        `${formatSI(netRate(count, durationMs.median, startup.median))} records/s net of it; ` +
        `${formatSI((Math.min(os.cpus().length, 2 * spec.parallelism) * 1e9) / cpuNanosPerRecord.median)} records/s ` +
        'on an idle machine at this CPU time per record';
    }
    return entry(spec.name, 'records/s', recordsPerSecond, extra);
  });
  for (const ratio of ratios) {
    if (ratio.value === undefined || ratio.unit !== 'x') continue;
    const bound = ratio.idleBound === undefined ? '' : `; idle-machine bound from CPU time per record ${ratio.idleBound.toPrecision(3)}x`;
    results.push({ name: ratio.name, unit: 'x', value: Number(ratio.value.toPrecision(4)), range: '', extra: `${ratio.description}; target ${ratio.target}${bound}` });
  }
  const written = writeReport(RESULTS_FILE, {
    ...reportContext(),
    parameters: {
      repetitions,
      numericRecords: numericCount,
      objectRecords: objectCount,
      keys,
      streamHighWaterMark: highWaterMark ?? 'default',
      cpus: os.cpus().length,
      loadAverage,
      startupRecords: STARTUP_RECORDS,
      startupMs: Object.fromEntries([...startupMs].map(([parallelism, summary]) => [`p${parallelism}`, summary.median])),
    },
    entries: results,
  });
  progress(BENCHMARK, startedAt, `wrote ${written}`);
}

/** Records/s once the fixed startup is taken out of the duration. */
function netRate(records: number, durationMs: number, startupMs: number): number {
  return (records / Math.max(durationMs - startupMs, 1e-3)) * 1000;
}

/** A figure the project tracks, from medians measured in this run. */
interface TrackedRatio {
  readonly name: string;
  readonly description: string;
  readonly target: string;
  readonly minimum: number;
  readonly value: number | undefined;
  /**
   * The most the figure could be on this machine with nothing else running: every core the
   * case can use kept busy at the CPU time per record measured (which other load inflates
   * far less than wall time).
   */
  readonly idleBound: number | undefined;
  readonly unit: 'x' | 'records/s';
}

function trackedRatios(measurements: readonly Measurement[]): TrackedRatio[] {
  const find = (name: string): Measurement | undefined => measurements.find((measurement) => measurement.spec.name === name);
  const median = (name: string): number | undefined => find(name)?.recordsPerSecond.median;
  const ratio = (numerator: string, denominator: string): number | undefined => {
    const [top, bottom] = [median(numerator), median(denominator)];
    return top === undefined || bottom === undefined ? undefined : top / bottom;
  };
  /** Records/s a case reaches when each of its threads (up to the cores) runs at its measured CPU cost. */
  const idleRate = (name: string): number | undefined => {
    const measurement = find(name);
    if (measurement === undefined) return undefined;
    const threads = measurement.spec.name.startsWith('sluice/') ? 2 * measurement.spec.parallelism : 1;
    return (Math.min(os.cpus().length, threads) * 1e9) / measurement.cpuNanosPerRecord.median;
  };
  const idleRatio = (numerator: string, denominator: string): number | undefined => {
    const [top, bottom] = [idleRate(numerator), idleRate(denominator)];
    return top === undefined || bottom === undefined ? undefined : top / bottom;
  };
  return [
    {
      name: 'ratio/sluice-numeric-p2-vs-stream.pipeline-numeric',
      description: 'sluice/numeric/p2 ÷ stream.pipeline/numeric',
      target: '≥ 3x',
      minimum: 3,
      value: ratio('sluice/numeric/p2', 'stream.pipeline/numeric'),
      idleBound: idleRatio('sluice/numeric/p2', 'stream.pipeline/numeric'),
      unit: 'x',
    },
    {
      name: 'ratio/sluice-object-p2-vs-stream.pipeline-object',
      description: 'sluice/object/p2 ÷ stream.pipeline/object',
      target: '≥ 3x',
      minimum: 3,
      value: ratio('sluice/object/p2', 'stream.pipeline/object'),
      idleBound: idleRatio('sluice/object/p2', 'stream.pipeline/object'),
      unit: 'x',
    },
    {
      name: 'sluice/numeric/p2',
      description: 'sluice/numeric/p2 records/s on 2 cores',
      target: '≥ 5M',
      minimum: 5e6,
      value: median('sluice/numeric/p2'),
      idleBound: idleRate('sluice/numeric/p2'),
      unit: 'records/s',
    },
  ];
}

function formatFigure(ratio: TrackedRatio, value: number | undefined): string {
  if (value === undefined) return 'n/a';
  return ratio.unit === 'x' ? `${value.toPrecision(3)}x` : formatSI(value);
}

function printTable(
  measurements: readonly Measurement[],
  ratios: readonly TrackedRatio[],
  startupMs: ReadonlyMap<number, Summary>,
  loadAverage: { readonly before: number; readonly after: number },
): void {
  const rows = measurements.map(({ spec, recordsPerSecond, durationMs, cpuNanosPerRecord }) => {
    const startup = spec.name.startsWith('sluice/') ? startupMs.get(spec.parallelism)!.median : undefined;
    const count = SHAPES[spec.shape].count;
    return [
      spec.name,
      formatSI(recordsPerSecond.median),
      `${formatSI(recordsPerSecond.min)}..${formatSI(recordsPerSecond.max)}`,
      formatPercent(recordsPerSecond.spread),
      durationMs.median.toFixed(0),
      startup === undefined ? '' : `${formatSI(netRate(count, durationMs.median, startup))}`,
      cpuNanosPerRecord.median.toFixed(0),
    ];
  });
  const lines = [
    markdownTable(['case', 'records/s:', 'min..max:', 'spread:', 'ms:', 'net of startup:', 'CPU ns/record:'], rows),
    '',
    markdownTable(
      ['tracked figure', 'measured:', 'target:', '', 'idle-machine bound:'],
      ratios.map((ratio) => [
        ratio.description,
        formatFigure(ratio, ratio.value),
        ratio.target,
        ratio.value === undefined ? '' : ratio.value >= ratio.minimum ? 'met' : 'MISSED',
        formatFigure(ratio, ratio.idleBound),
      ]),
    ),
    '',
    `${repetitions} interleaved repetitions per case; records/s is the median (records ÷ job duration), min..max the extremes. ` +
      `Fixed startup of a sluice job (${STARTUP_RECORDS} records): ` +
      [...startupMs].map(([parallelism, summary]) => `p${parallelism} ${summary.median.toFixed(0)} ms`).join(', ') +
      '; "net of startup" takes it out of the duration. CPU ns/record: CPU time of every thread of the process per record. ' +
      'Idle-machine bound: the figure if every core a case can use (a thread per sluice subtask, one for stream.pipeline) ' +
      'ran it at that CPU time per record, startup included. ' +
      `Load average ${loadAverage.before.toFixed(1)} before, ${loadAverage.after.toFixed(1)} after, on ${os.cpus().length} CPUs.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
