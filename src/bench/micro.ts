/**
 * `sluice bench --micro`: tinybench micro-benchmarks of the pieces a checkpoint and a channel are
 * made of (ring framing, record codecs, snapshot compression, checkpoint file layout), into the same report. One Bench per question; values are medians (p50) of tinybench's
 * samples, with the slowest and fastest sample as the range.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';
import { RingReader, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import { numericRecords, OBJECT_RECORDS } from '../api/specs.js';
import { packState } from '../runtime/operator-chain.js';
import { BatchCursor, createBatchEncoder } from '../runtime/record-batch.js';
import { SnapshotCodec, writeFileDurably, writeMergedFile } from '../storage/index.js';
import type { BenchEntry as MicroResult } from './lib/index.js';
import { snapshotCodecs } from './lib/index.js';

const TASK_TIME_MS = 300;

/** Runs `bench` and turns each task into a result: `perOp` items per operation, in `unit`. */
async function measure(bench: Bench, perOp: Record<string, number>, unit: string, extra: (name: string) => string | undefined = () => undefined): Promise<MicroResult[]> {
  await bench.run();
  return bench.tasks.map((task) => {
    // Completed tasks carry throughput statistics (operations per second).
    const throughput = (task.result as { throughput?: { p50?: number; mean: number; min: number; max: number } } | undefined)?.throughput;
    const scale = perOp[task.name] ?? 1;
    const round = (value: number) => {
      const scaled = value * scale;
      return Math.abs(scaled) >= 100 ? Math.round(scaled) : Math.round(scaled * 100) / 100;
    };
    const note = extra(task.name);
    return {
      name: task.name,
      unit,
      value: throughput ? round(throughput.p50 ?? throughput.mean) : 0,
      range: throughput ? `${round(throughput.min)}..${round(throughput.max)}` : '—',
      ...(note ? { extra: note } : {}),
    };
  });
}

/** A ring written and read on one thread: the cost of framing, without the cross-thread handoff. */
async function ringBench(): Promise<MicroResult[]> {
  const frames = 1024;
  const payload = new Uint8Array(64).fill(7);
  const ring = allocateRing({ capacity: 1 << 20 });
  const writer = new RingWriter(ring, { publishEveryBytes: Infinity });
  const reader = new RingReader(ring, { releaseEveryBytes: Infinity });
  const bench = new Bench({ time: TASK_TIME_MS });
  bench.add('ring/64B/one-thread', () => {
    for (let i = 0; i < frames; i++) writer.tryWrite(payload, 1);
    writer.publish();
    while (reader.tryRead()) {
      // read in place
    }
    reader.release();
  });
  return measure(bench, { 'ring/64B/one-thread': frames }, 'msgs/s');
}

/** Record batches: encoding into a frame payload and decoding it, numeric and object records. */
async function codecBench(): Promise<MicroResult[]> {
  const count = 1000;
  const numeric = Array.from({ length: count }, (_, i) => [i, i % 1000, 1]);
  const objects = Array.from({ length: count }, (_, i) => ({ seq: i, key: `key-${i % 1000}`, value: 1 }));
  const numericEncoder = createBatchEncoder(numericRecords(3), 1 << 20);
  const objectEncoder = createBatchEncoder(OBJECT_RECORDS, 1 << 20);
  const encode = (encoder: typeof numericEncoder, records: readonly unknown[]) => {
    for (const record of records) encoder.add(record, 0, -1);
    return encoder.encode();
  };
  const frame = (payload: { frameType: number; bytes: Uint8Array }) => ({ frameType: payload.frameType, bytes: payload.bytes.slice() });
  const numericFrame = frame(encode(numericEncoder, numeric));
  const objectFrame = frame(encode(objectEncoder, objects));
  const cursor = new BatchCursor();
  let sink = 0;
  const decode = (payload: { frameType: number; bytes: Uint8Array }) => {
    cursor.begin(payload.frameType, payload.bytes, 0, payload.bytes.byteLength);
    cursor.step(() => sink++, count);
  };
  const bench = new Bench({ time: TASK_TIME_MS });
  bench
    .add('codec/numeric/encode', () => encode(numericEncoder, numeric))
    .add('codec/numeric/decode', () => decode(numericFrame))
    .add('codec/object/encode', () => encode(objectEncoder, objects))
    .add('codec/object/decode', () => decode(objectFrame));
  const perOp = Object.fromEntries(bench.tasks.map((task) => [task.name, count]));
  const sizes: Record<string, string> = {
    numeric: `${(numericFrame.bytes.byteLength / count).toFixed(1)} bytes/record`,
    object: `${(objectFrame.bytes.byteLength / count).toFixed(1)} bytes/record`,
  };
  const results = await measure(bench, perOp, 'records/s', (name) => sizes[name.split('/')[1]!]);
  if (sink < 0) throw new Error('unreachable');
  return results;
}

/** Snapshot compression of keyed-state-like data: the compressors of {@link snapshotCodecs}, one level each. */
async function compressionBench(): Promise<MicroResult[]> {
  const state = new Map<string, number>();
  for (let i = 0; i < 200_000; i++) state.set(`key-${i}`, (i * 2654435761) % 1000);
  const raw = packState([[0, [['sum', [...state]]]]]);
  const codecs = snapshotCodecs(await SnapshotCodec.load(), { all: false });
  const megabytes = raw.byteLength / 1e6;
  const ratio: Record<string, string> = {};
  const bench = new Bench({ time: TASK_TIME_MS });
  for (const codec of codecs) {
    const compressed = codec.compress(raw);
    ratio[codec.name] = `ratio ${(raw.byteLength / compressed.byteLength).toFixed(2)}`;
    bench.add(`snapshot/${codec.name}/compress`, () => codec.compress(raw));
    bench.add(`snapshot/${codec.name}/decompress`, () => codec.decompress(compressed));
  }
  const perOp = Object.fromEntries(bench.tasks.map((task) => [task.name, megabytes]));
  return measure(bench, perOp, 'MB/s', (name) => `${ratio[name.split('/')[1]!]}; ${megabytes.toFixed(1)} MB of keyed state`);
}

/**
 * Checkpoint file layout: the snapshots of a checkpoint shaped as flink-ctb's unaligned ones (12
 * subtasks, a state and an in-flight segment each: 24 segments of 120 KB, about 2.9 MB) written
 * and fsynced as one file each, side by side, as four merged files side by side, or as one merged
 * file. Writes go to the system's temporary directory: run it where checkpoints go to compare.
 */
async function checkpointFilesBench(): Promise<MicroResult[]> {
  const segments = Array.from({ length: 24 }, (_, i) => new Uint8Array(120_000).fill(i + 1));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-files-'));
  try {
    const bench = new Bench({ time: TASK_TIME_MS });
    bench.add('checkpoint-files/24-files', async () => {
      await Promise.all(segments.map((segment, i) => writeFileDurably(path.join(dir, `own-${i}`), segment)));
    });
    bench.add('checkpoint-files/4-merged', async () => {
      await Promise.all([0, 1, 2, 3].map((k) => writeMergedFile(path.join(dir, `merged-${k}`), segments.filter((_, i) => i % 4 === k))));
    });
    bench.add('checkpoint-files/1-merged', async () => {
      await writeMergedFile(path.join(dir, 'merged'), segments);
    });
    const megabytes = (segments.length * segments[0]!.byteLength) / 1e6;
    return await measure(bench, {}, 'checkpoints/s', () => `${segments.length} segments, ${megabytes.toFixed(1)} MB, fsynced`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every micro-benchmark, in order; `progress` hears of each group. */
export async function runMicro(progress: (line: string) => void): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  for (const [name, run] of [
    ['ring', ringBench],
    ['record codecs', codecBench],
    ['snapshot compression', compressionBench],
    ['checkpoint files', checkpointFilesBench],
  ] as const) {
    progress(`micro: ${name}`);
    results.push(...(await run()));
  }
  return results;
}
