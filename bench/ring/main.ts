/**
 * The ring benchmark: messages of 16 B to 16 KiB between two worker threads through a sluice
 * ring (batched and single publishes), ringbuf.js, a MessageChannel and worker postMessage
 * (single, and arrays of 1000), against one thread copying into a SharedArrayBuffer, all in
 * one run. Writes bench/results/ring.json and prints a Markdown table and the tracked ratios.
 *
 *   npm run bench:ring -- [--repetitions 5] [--duration-ms 500] [--warmup-ms 300] [--spin 200] [--filter 64B]
 *
 * A warm-up round starts every case's workers and runs each once for `warmup-ms`; then each
 * of `repetitions` rounds runs every case once for about `duration-ms`, and the memcpy Bench
 * once. Interleaving the rounds spreads bursts of load from other processes over all the
 * transports instead of one. In a repetition the consumer times from its first message and,
 * when time is up, raises the stop word; the producer then sends an end marker. Every consumer
 * checks the length and the sequence number (first 8 bytes) of every message.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
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
import { formatBinarySize } from '../../src/bench/lib/index.js';
import type { BenchmarkEntry, Summary } from '../report.js';
import { caseReady, closeCase, runRepetition } from './case-runner.js';
import type { CaseEnds, RepetitionResult } from './case-runner.js';
import { MemcpyBench } from './memcpy.js';
import { caseSpecs } from './transports.js';
import type { CaseSpec, TransportSettings } from './transports.js';

const BENCHMARK = 'bench:ring';
const RESULTS_FILE = 'bench/results/ring.json';
/** Message payload sizes, bytes. */
const SIZES = [16, 64, 1024, 16 * 1024] as const;
/** Data-region bytes of every ring: fits a core's L2 here, and a quarter (the batch) is 256 KiB. */
const RING_CAPACITY = 1 << 20;
/** Time budget of each memcpy task in one round. */
const MEMCPY_TIME_MS = 200;

const { values: cli } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '5' },
    'duration-ms': { type: 'string', default: '500' },
    'warmup-ms': { type: 'string', default: '300' },
    spin: { type: 'string', default: '200' },
    filter: { type: 'string' },
  },
});

function nonNegativeInteger(name: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new TypeError(`--${name} must be an integer of at least ${minimum}, got ${text}`);
  return value;
}

const repetitions = nonNegativeInteger('repetitions', cli.repetitions, 1);
const durationMs = nonNegativeInteger('duration-ms', cli['duration-ms'], 1);
const warmupMs = nonNegativeInteger('warmup-ms', cli['warmup-ms'], 1);
const settings: TransportSettings = { ringCapacity: RING_CAPACITY, spin: nonNegativeInteger('spin', cli.spin, 0) };
const filter = cli.filter;
/** A repetition that takes this long is stuck. */
const TIMEOUT_MS = 30_000 + 20 * Math.max(durationMs, warmupMs);

/** `16B`, `64B`, `1KiB`, `16KiB`. */
function sizeLabel(bytes: number): string {
  return formatBinarySize(bytes).replace(' ', '');
}

/** One row of the table. */
interface Measurement {
  readonly transport: string;
  readonly messageBytes: number;
  readonly mode: string;
  /** Messages (memcpy: blocks) per second, one sample per repetition. */
  readonly messagesPerSecond: Summary;
  readonly gigabytesPerSecond: Summary;
  readonly note: string;
}

function nameOf(row: { transport: string; messageBytes: number; mode: string }): string {
  return `${row.transport}/${sizeLabel(row.messageBytes)}/${row.mode}`;
}

/** A started case and what its measured repetitions gave. */
interface RunningCase {
  readonly spec: CaseSpec;
  readonly ends: CaseEnds;
  readonly results: RepetitionResult[];
}

function summarizeCase({ spec, results }: RunningCase): Measurement {
  const messagesPerSecond = summarize(results.map((result) => result.messagesPerSecond));
  const produced = results.reduce((sum, result) => sum + result.produced, 0);
  const perThousand = (parks: number): string => ((1000 * parks) / produced).toPrecision(2);
  const parks = spec.parks
    ? `; parks per 1000 messages: producer ${perThousand(results.reduce((sum, r) => sum + r.producerParks, 0))}, ` +
      `consumer ${perThousand(results.reduce((sum, r) => sum + r.consumerParks, 0))}`
    : '';
  return {
    transport: spec.transport,
    messageBytes: spec.messageBytes,
    mode: spec.mode,
    messagesPerSecond,
    gigabytesPerSecond: summarize(messagesPerSecond.samples.map((rate) => (rate * spec.messageBytes) / 1e9)),
    note: `${spec.note}${parks}`,
  };
}

async function measure(startedAt: number): Promise<Measurement[]> {
  const selected = (name: string): boolean => filter === undefined || name.includes(filter);
  const specs = caseSpecs(settings, SIZES).filter((spec) => selected(nameOf(spec)));
  const memcpySizes = SIZES.filter((size) => selected(`memcpy/${sizeLabel(size)}/sab`));
  const memcpy = memcpySizes.length > 0 ? new MemcpyBench(memcpySizes, RING_CAPACITY, MEMCPY_TIME_MS) : undefined;
  const memcpySamples: number[][] = memcpySizes.map(() => []);
  const cases: RunningCase[] = [];
  try {
    progress(BENCHMARK, startedAt, `warm-up round: starting ${specs.length} cases, ${warmupMs} ms each`);
    for (const spec of specs) {
      const running: RunningCase = { spec, ends: spec.start(), results: [] };
      cases.push(running);
      await caseReady(running.ends, TIMEOUT_MS);
      await runRepetition(running.ends, 0, warmupMs, TIMEOUT_MS);
    }
    if (memcpy !== undefined) await memcpy.runOnce();
    for (let round = 1; round <= repetitions; round++) {
      for (const running of cases) {
        const result = await runRepetition(running.ends, round, durationMs, TIMEOUT_MS);
        running.results.push(result);
        progress(BENCHMARK, startedAt, `round ${round}/${repetitions} ${nameOf(running.spec)}: ${formatSI(result.messagesPerSecond)} msgs/s`);
      }
      if (memcpy !== undefined) {
        const rates = await memcpy.runOnce();
        rates.forEach((rate, index) => memcpySamples[index]!.push(rate));
        progress(BENCHMARK, startedAt, `round ${round}/${repetitions} memcpy: ${rates.map((rate) => `${rate.toFixed(1)} GB/s`).join(', ')}`);
      }
    }
  } finally {
    await Promise.all(cases.map((running) => closeCase(running.ends)));
  }
  const measurements = cases.map(summarizeCase);
  memcpySizes.forEach((blockBytes, index) => {
    const gigabytesPerSecond = summarize(memcpySamples[index]!);
    measurements.push({
      transport: 'memcpy',
      messageBytes: blockBytes,
      mode: 'sab',
      messagesPerSecond: summarize(gigabytesPerSecond.samples.map((rate) => (rate * 1e9) / blockBytes)),
      gigabytesPerSecond,
      note: 'one thread, TypedArray.set of a reused block into a 1 MiB SharedArrayBuffer; tinybench, median call',
    });
  });
  return measurements;
}

/** A ratio the project tracks, of medians measured in this run. */
interface TrackedRatio {
  readonly name: string;
  readonly description: string;
  readonly target: string;
  readonly minimum: number;
  readonly value: number | undefined;
}

function trackedRatios(measurements: readonly Measurement[]): TrackedRatio[] {
  const find = (name: string): Measurement | undefined => measurements.find((row) => nameOf(row) === name);
  const ratio = (numerator: Summary | undefined, denominator: Summary | undefined): number | undefined =>
    numerator === undefined || denominator === undefined ? undefined : numerator.median / denominator.median;
  return [
    {
      name: 'ratio/sluice-64B-batched-vs-postMessage-64B-single',
      description: 'sluice/64B/batched ÷ postMessage/64B/single (msgs/s)',
      target: '≥ 30x',
      minimum: 30,
      value: ratio(find('sluice/64B/batched')?.messagesPerSecond, find('postMessage/64B/single')?.messagesPerSecond),
    },
    {
      name: 'ratio/sluice-64B-batched-vs-ringbuf.js-64B-batched',
      description: 'sluice/64B/batched ÷ ringbuf.js/64B/batched (msgs/s)',
      target: '≥ 1.5x',
      minimum: 1.5,
      value: ratio(find('sluice/64B/batched')?.messagesPerSecond, find('ringbuf.js/64B/batched')?.messagesPerSecond),
    },
    {
      name: 'ratio/sluice-16KiB-batched-vs-memcpy-16KiB',
      description: 'sluice/16KiB/batched ÷ memcpy/16KiB/sab (GB/s)',
      target: '≥ 0.5',
      minimum: 0.5,
      value: ratio(find('sluice/16KiB/batched')?.gigabytesPerSecond, find('memcpy/16KiB/sab')?.gigabytesPerSecond),
    },
  ];
}

function renderTables(measurements: readonly Measurement[], ratios: readonly TrackedRatio[]): string {
  const rows = [...measurements]
    .sort((a, b) => a.messageBytes - b.messageBytes)
    .map((row) => [
      row.transport,
      sizeLabel(row.messageBytes),
      row.mode,
      formatSI(row.messagesPerSecond.median),
      `${formatSI(row.messagesPerSecond.min)}..${formatSI(row.messagesPerSecond.max)}`,
      row.gigabytesPerSecond.median.toFixed(2),
    ]);
  const ratioRows = ratios.map((ratio) => [
    ratio.description,
    ratio.value === undefined ? 'n/a' : ratio.value.toPrecision(3),
    ratio.target,
    ratio.value === undefined ? '' : ratio.value >= ratio.minimum ? 'met' : 'missed',
  ]);
  return [
    markdownTable(['transport', 'size', 'mode', 'msgs/s:', 'min..max:', 'GB/s:'], rows),
    '',
    markdownTable(['ratio (medians of this run)', 'measured:', 'target:', ''], ratioRows),
    '',
    `Medians of ${repetitions} interleaved repetitions of ${durationMs} ms; GB/s counts payload bytes. ` +
      'memcpy rows: blocks/s and GB/s of one thread copying into a SharedArrayBuffer.',
  ].join('\n');
}

function toEntries(measurements: readonly Measurement[], ratios: readonly TrackedRatio[]): BenchmarkEntry[] {
  const entries = measurements.map((row) => {
    const isCopy = row.transport === 'memcpy';
    const summary = isCopy ? row.gigabytesPerSecond : row.messagesPerSecond;
    const derived = isCopy
      ? `${formatSI(row.messagesPerSecond.median)} blocks/s`
      : `${row.gigabytesPerSecond.median.toPrecision(3)} GB/s of payload`;
    const extra = `${summary.samples.length} repetitions of ${isCopy ? MEMCPY_TIME_MS : durationMs} ms, spread ${formatPercent(summary.spread)}; ${derived}; ${row.note}`;
    return entry(nameOf(row), isCopy ? 'GB/s' : 'msgs/s', summary, extra);
  });
  for (const ratio of ratios) {
    if (ratio.value === undefined) continue;
    entries.push({ name: ratio.name, unit: 'x', value: Number(ratio.value.toPrecision(4)), range: '', extra: `${ratio.description}, medians of this run; target ${ratio.target}` });
  }
  return entries;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  // Other processes' load is the main source of spread on a 2-core host: keep it with the results.
  const loadBefore = loadavg().map((load) => Number(load.toFixed(2)));
  progress(
    BENCHMARK,
    startedAt,
    `${repetitions} rounds of ${durationMs} ms per case after a ${warmupMs} ms warm-up; ring ${RING_CAPACITY / 1024} KiB, ` +
      `doorbell spin ${settings.spin}; load average ${loadBefore.join(' ')}`,
  );
  const measurements = await measure(startedAt);
  const ratios = trackedRatios(measurements);
  process.stdout.write(`${renderTables(measurements, ratios)}\n`);
  if (filter !== undefined) {
    progress(BENCHMARK, startedAt, `--filter given: ${RESULTS_FILE} not written`);
    return;
  }
  const written = writeReport(RESULTS_FILE, {
    ...reportContext(),
    parameters: { repetitions, durationMs, warmupMs, memcpyTimeMs: MEMCPY_TIME_MS, ringCapacityBytes: RING_CAPACITY, doorbellSpin: settings.spin, sizes: SIZES },
    loadAverage: { before: loadBefore, after: loadavg().map((load) => Number(load.toFixed(2))) },
    entries: toEntries(measurements, ratios),
  });
  progress(BENCHMARK, startedAt, `wrote ${written} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

await main();
