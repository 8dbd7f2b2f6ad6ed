/**
 * The snapshot codec micro-benchmark: how fast the asynchronous phase of a checkpoint can
 * compress keyed state, and restore decompress it, with sluice's zstd container (zstd-codec's
 * WebAssembly build, independent 1 MiB frames) at levels 1 and 3 (and -1, zstd's fast mode),
 * against Node's built-in gzip (level 1) and brotli (quality 1); and how small each makes it.
 * A second Bench measures the checksum of the compressed bytes (SHA-256, as sluice records it,
 * against zlib's CRC-32). Writes bench/results/codec.json and prints a Markdown table.
 *
 *   npm run bench:codec -- [--repetitions 3] [--time-ms 800] [--megabytes 8]
 *
 * The data is keyed state as a snapshot holds it: msgpack (msgpackr) of Maps of 100k string
 * keys (`user-<id>`, `session:<id base 36>`, ids from a dense range in random order) to numbers
 * (70% Zipf-like counts, 30% sums with cents), one Map per key group, concatenated and cut to
 * `megabytes` MiB.
 *
 * MB/s is 10^6 bytes of uncompressed data per second (of compressed bytes for the checksums),
 * from the median call of each task, one sample per repetition: by the wall clock (tinybench),
 * and by CPU time (MB/CPU-s: what an idle core would do, which moves far less than the
 * wall-clock rate when other processes load the host). Repetitions are interleaved (every task
 * once, then every task again) so a burst of load hits every codec alike. Every codec's output is
 * decompressed and compared with the input before anything is timed. One thread, no I/O. The
 * table shows medians with the spread of the repetitions, (max - min) / median, in brackets.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { Packr } from 'msgpackr';
import { Bench } from 'tinybench';
import { snapshotCodecs } from '../../src/bench/lib/index.js';
import { SnapshotCodec } from '../../src/storage/zstd.js';
import { entry, formatPercent, formatSI, markdownTable, progress, reportContext, summarize, writeReport } from '../report.js';
import type { BenchmarkEntry, Summary } from '../report.js';

const BENCHMARK = 'bench:codec';
const RESULTS_FILE = 'bench/results/codec.json';
/** Keys per key group's Map. */
const KEYS_PER_MAP = 100_000;

const { values: cli } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '3' },
    'time-ms': { type: 'string', default: '800' },
    megabytes: { type: 'string', default: '8' },
  },
});
const repetitions = positiveInteger('repetitions', cli.repetitions);
const timeMs = positiveInteger('time-ms', cli['time-ms']);
const dataBytes = positiveInteger('megabytes', cli.megabytes) * 1024 * 1024;

/** Keyed state: msgpack of Maps of string keys to counts and sums, one per key group, `bytes` long. */
function keyedState(bytes: number): Uint8Array {
  const packr = new Packr({ useRecords: false });
  const parts: Uint8Array[] = [];
  let total = 0;
  let state = 0x9e3779b9;
  const random = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  for (let group = 0; total < bytes; group++) {
    const map = new Map<string, number>();
    for (let i = 0; i < KEYS_PER_MAP; i++) {
      // Ids from a dense range in arrival order (a Map iterates in insertion order); values are
      // mostly Zipf-like counts (small integers), some sums with cents (float64 in msgpack).
      const id = Math.floor(random() * 2_000_000);
      const key = random() < 0.5 ? `user-${id}` : `session:${id.toString(36)}`;
      map.set(key, random() < 0.7 ? Math.floor(1 / (random() + 0.001)) : Math.round(random() * 1e6) / 100);
    }
    const packed = packr.pack(map);
    parts.push(packed);
    total += packed.length;
    progress(BENCHMARK, startedAt, `key group ${group}: ${map.size} keys, ${formatSI(packed.length)}B of msgpack`);
  }
  const data = new Uint8Array(bytes);
  let offset = 0;
  for (const part of parts) {
    data.set(part.subarray(0, Math.min(part.length, bytes - offset)), offset);
    offset += part.length;
    if (offset >= bytes) break;
  }
  return data;
}

/**
 * A timed operation: tinybench runs it and times each call by the wall clock; the operation
 * also records each call's CPU time (process.cpuUsage: this thread, plus V8's helper threads,
 * as the bench starts no workers), which another process's load barely changes.
 */
class TimedOperation {
  readonly name: string;
  readonly bytes: number;
  readonly #run: () => void;
  #cpuMs: number[] = [];

  constructor(name: string, bytes: number, run: () => void) {
    this.name = name;
    this.bytes = bytes;
    this.#run = run;
  }

  /** The function tinybench calls. */
  readonly call = (): void => {
    const before = process.cpuUsage();
    this.#run();
    const used = process.cpuUsage(before);
    this.#cpuMs.push((used.user + used.system) / 1000);
  };

  /** Forgets the CPU samples taken so far (of untimed calls). */
  discardSamples(): void {
    this.#cpuMs = [];
  }

  /** MB/s of the median call of this round, by the wall clock (tinybench) and by CPU time; resets the CPU samples. */
  finishRound(bench: Bench): { wall: number; cpu: number } {
    const result = bench.getTask(this.name)?.result;
    if (result === undefined || result.state !== 'completed') throw new Error(`task ${this.name} did not complete (${result?.state ?? 'missing'})`);
    const cpuMs = summarize(this.#cpuMs).median;
    this.#cpuMs = [];
    // The median call, not the mean: a call during which another process held the core says nothing about the codec.
    return { wall: this.bytes / result.latency.p50 / 1e3, cpu: this.bytes / Math.max(cpuMs, 1e-3) / 1e3 };
  }
}

function positiveInteger(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new TypeError(`--${name} must be a positive integer, got ${value}`);
  return parsed;
}

const startedAt = performance.now();

async function main(): Promise<void> {
  const raw = keyedState(dataBytes);
  const zstd = await SnapshotCodec.load();
  const all = snapshotCodecs(zstd);

  const compressed = new Map<string, Uint8Array>();
  for (const codec of all) {
    const output = codec.compress(raw);
    const back = codec.decompress(output);
    if (!Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(raw))) throw new Error(`${codec.name} does not round-trip`);
    compressed.set(codec.name, output);
    progress(BENCHMARK, startedAt, `${codec.name}: ${formatSI(raw.length)}B -> ${formatSI(output.length)}B (${(raw.length / output.length).toFixed(2)}x), round trip checked`);
  }

  // No tinybench warm-up (its calls would count as CPU samples): every operation ran once above,
  // and runs once more here, untimed.
  const options = { time: timeMs, iterations: 5, warmup: false, throws: true };
  const zstdOutput = compressed.get('zstd-1')!;
  const codecOperations = all.flatMap((codec) => [
    new TimedOperation(`${codec.name}/compress`, raw.length, () => codec.compress(raw)),
    new TimedOperation(`${codec.name}/decompress`, raw.length, () => codec.decompress(compressed.get(codec.name)!)),
  ]);
  const checksumOperations = [
    new TimedOperation('checksum/sha256', zstdOutput.length, () => createHash('sha256').update(zstdOutput).digest('hex')),
    new TimedOperation('checksum/crc32', zstdOutput.length, () => zlib.crc32(zstdOutput)),
  ];
  const codecBench = new Bench({ name: 'snapshot codecs', ...options });
  const checksumBench = new Bench({ name: 'checksums of the compressed snapshot', ...options });
  for (const operation of codecOperations) codecBench.add(operation.name, operation.call);
  for (const operation of checksumOperations) checksumBench.add(operation.name, operation.call);
  for (const operation of [...codecOperations, ...checksumOperations]) {
    operation.call();
    operation.discardSamples();
  }

  const wallSamples = new Map<string, number[]>();
  const cpuSamples = new Map<string, number[]>();
  const record = (samples: Map<string, number[]>, name: string, value: number) => samples.set(name, [...(samples.get(name) ?? []), value]);
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const [bench, operations] of [[codecBench, codecOperations], [checksumBench, checksumOperations]] as const) {
      bench.reset();
      await bench.run();
      for (const operation of operations) {
        const { wall, cpu } = operation.finishRound(bench);
        record(wallSamples, operation.name, wall);
        record(cpuSamples, operation.name, cpu);
      }
    }
    progress(BENCHMARK, startedAt, `repetition ${repetition}/${repetitions} done`);
  }

  const wall = (name: string): Summary => summarize(wallSamples.get(name)!);
  const cpu = (name: string): Summary => summarize(cpuSamples.get(name)!);
  const dataNote = `${formatSI(raw.length)}B of msgpack keyed state (Maps of ${formatSI(KEYS_PER_MAP)} string keys -> numbers)`;
  const entries: BenchmarkEntry[] = [];
  for (const operation of [...codecOperations, ...checksumOperations]) {
    const codec = all.find((candidate) => operation.name.startsWith(`${candidate.name}/`));
    const phase = operation.name.slice(operation.name.lastIndexOf('/') + 1);
    const gzipCpu = codec === undefined ? undefined : cpu(`gzip-1/${phase}`).median;
    const about = codec === undefined ? `over the ${formatSI(zstdOutput.length)}B zstd-1 container` : `${dataNote}; ${codec.note}`;
    const versus = gzipCpu === undefined ? '' : `; ${(cpu(operation.name).median / gzipCpu).toFixed(2)}x gzip-1 by CPU time`;
    const [byWall, byCpu] = [wall(operation.name), cpu(operation.name)];
    entries.push(entry(operation.name, 'MB/s', byWall, `${repetitions} repetitions, median call by the wall clock, spread ${formatPercent(byWall.spread)}; ${about}`));
    entries.push(
      entry(`${operation.name}/cpu`, 'MB/CPU-s', byCpu, `${repetitions} repetitions, median call by CPU time, spread ${formatPercent(byCpu.spread)}${versus}; ${about}`),
    );
  }
  for (const codec of all) {
    const bytes = compressed.get(codec.name)!.length;
    entries.push({ name: `${codec.name}/ratio`, unit: 'x', value: Number((raw.length / bytes).toPrecision(4)), range: '', extra: `${raw.length} -> ${bytes} bytes; ${codec.note}` });
  }

  const written = writeReport(RESULTS_FILE, {
    ...reportContext(),
    parameters: { repetitions, timeMs, dataBytes, keysPerMap: KEYS_PER_MAP, maxFrameBytes: 1 << 20, loadAverage: os.loadavg() },
    entries,
  });

  const rate = (summary: Summary) => `${formatSI(summary.median)} (${formatPercent(summary.spread)})`;
  const table = markdownTable(
    ['codec', 'ratio:', 'compress MB/CPU-s:', 'vs gzip-1:', 'decompress MB/CPU-s:', 'vs gzip-1:', 'compress MB/s wall:', 'decompress MB/s wall:'],
    all.map((codec) => [
      codec.name,
      (raw.length / compressed.get(codec.name)!.length).toFixed(2),
      rate(cpu(`${codec.name}/compress`)),
      `${(cpu(`${codec.name}/compress`).median / cpu('gzip-1/compress').median).toFixed(2)}x`,
      rate(cpu(`${codec.name}/decompress`)),
      `${(cpu(`${codec.name}/decompress`).median / cpu('gzip-1/decompress').median).toFixed(2)}x`,
      rate(wall(`${codec.name}/compress`)),
      rate(wall(`${codec.name}/decompress`)),
    ]),
  );
  const checksums = markdownTable(
    ['checksum of the zstd-1 container', 'MB/CPU-s:', 'MB/s wall:'],
    checksumOperations.map((operation) => [operation.name, rate(cpu(operation.name)), rate(wall(operation.name))]),
  );
  process.stdout.write(
    `\n${dataNote}, ${repetitions} repetitions, Node ${process.version}, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}\n\n${table}\n\n${checksums}\n\n`,
  );
  progress(BENCHMARK, startedAt, `wrote ${written}`);
}

await main();
