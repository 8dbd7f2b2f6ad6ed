/**
 * The engine benchmark's operators: a counting source, a map, a keyed sum and a counting
 * sink, for numeric records `[seq, key, value]` and for object records
 * `{ seq, key: 'key-<n>', value }`. The sluice job loads them in its workers; the
 * `stream.pipeline` baseline calls the same functions (`.impl`) in one thread, so both run
 * the same per-record logic.
 */
import { defineMap, defineReduce, defineSink, defineSource } from '../../src/index.js';
import type { Collector, SourceContext, SourceFunction, SourceStatus } from '../../src/index.js';

/** A numeric record: sequence number, key, value. */
export type NumericRecord = [seq: number, key: number, value: number];

/** An object record, with a string key. */
export interface ObjectRecord {
  seq: number;
  key: string;
  value: number;
}

/** Options of the benchmark sources. */
export interface BenchSourceOptions {
  /** Records across all subtasks. */
  readonly count: number;
  /** Distinct keys. */
  readonly keys: number;
}

/** What a benchmark sink subtask returns: enough to check that every record arrived, reduced. */
export interface BenchSinkResult {
  /** Records written to the sink. */
  readonly records: number;
  /** Sum over keys of the last (fully reduced) value seen per key. */
  readonly total: number;
  /** Distinct keys seen. */
  readonly keys: number;
  /** When the first record arrived, in milliseconds on the process.hrtime clock (the same clock in every thread). */
  readonly firstRecordAt?: number;
}

/** Milliseconds on the process.hrtime clock: unlike performance.now(), one clock for every thread. */
export function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The key of record `seq`: a multiplicative hash, so consecutive records spread over keys. */
function keyIndex(seq: number, keys: number): number {
  return (Math.imul(seq, 0x9e3779b1) >>> 0) % keys;
}

/** The value of record `seq`: small integers, so sums stay exact. */
function valueOf(seq: number): number {
  return seq & 0xff;
}

/** What the sinks of a job over `count` records and `keys` keys must report, summed over subtasks. */
export function expectedSinkResult(count: number, keys: number): BenchSinkResult {
  // Values cycle through 0..255, so mapped values through the odd numbers 1..511: a full
  // cycle sums to 256², and the first r of a cycle to r². The last reduced value of a key is
  // the sum of its mapped values, so the totals over keys sum to every mapped value.
  const rest = count % 256;
  const total = Math.floor(count / 256) * 256 * 256 + rest * rest;
  const seen = new Uint8Array(keys);
  let distinct = 0;
  for (let seq = 0; seq < count && distinct < keys; seq++) {
    const key = keyIndex(seq, keys);
    if (seen[key] === 0) {
      seen[key] = 1;
      distinct++;
    }
  }
  return { records: count, total, keys: distinct };
}

/**
 * Subtask `i` of `p` emits the sequence numbers `seq ≡ i (mod p)` below `count`, so every
 * parallelism emits the same records.
 */
abstract class CountingSource<T> implements SourceFunction<T, number> {
  readonly #options: BenchSourceOptions;
  #next = 0;
  #step = 1;

  constructor(options: BenchSourceOptions) {
    this.#options = options;
  }

  open(ctx: Pick<SourceContext, 'subtaskIndex' | 'parallelism'>): void {
    this.#next = ctx.subtaskIndex;
    this.#step = ctx.parallelism;
  }

  poll(out: Collector<T>, budget: number): SourceStatus {
    const { count, keys } = this.#options;
    const step = this.#step;
    let seq = this.#next;
    for (let i = 0; i < budget && seq < count; i++) {
      out.collect(this.record(seq, keyIndex(seq, keys)));
      seq += step;
    }
    this.#next = seq;
    return seq < count ? 'more' : 'end';
  }

  position(): number {
    return this.#next;
  }

  protected abstract record(seq: number, key: number): T;
}

class NumericSource extends CountingSource<NumericRecord> {
  protected record(seq: number, key: number): NumericRecord {
    return [seq, key, valueOf(seq)];
  }
}

class ObjectSource extends CountingSource<ObjectRecord> {
  /** Key strings are made once per key, as a real source would intern them. */
  readonly #keyStrings: string[];

  constructor(options: BenchSourceOptions) {
    super(options);
    this.#keyStrings = Array.from({ length: options.keys }, (_, key) => `key-${key}`);
  }

  protected record(seq: number, key: number): ObjectRecord {
    return { seq, key: this.#keyStrings[key]!, value: valueOf(seq) };
  }
}

/** Numeric records `[seq, key, value]`. */
export const numericSource = defineSource(import.meta, (options: BenchSourceOptions) => new NumericSource(options));
/** Object records `{ seq, key: 'key-<n>', value }`. */
export const objectSource = defineSource(import.meta, (options: BenchSourceOptions) => new ObjectSource(options));

/** value → 2 × value + 1, as a new record. */
export const numericMap = defineMap(import.meta, (record: NumericRecord): NumericRecord => [record[0], record[1], record[2] * 2 + 1]);
/** value → 2 × value + 1, as a new record. */
export const objectMap = defineMap(import.meta, (record: ObjectRecord): ObjectRecord => ({
  seq: record.seq,
  key: record.key,
  value: record.value * 2 + 1,
}));

/** Running sum of the values of a key. */
export const numericSum = defineReduce(import.meta, (sum: NumericRecord, record: NumericRecord): NumericRecord => [
  record[0],
  sum[1],
  sum[2] + record[2],
]);
/** Running sum of the values of a key. */
export const objectSum = defineReduce(import.meta, (sum: ObjectRecord, record: ObjectRecord): ObjectRecord => ({
  seq: record.seq,
  key: sum.key,
  value: sum.value + record.value,
}));

/** Counts records and keeps the last value per key; reports their sum. */
class CountingSink<K> {
  readonly #last = new Map<K, number>();
  #records = 0;
  #firstRecordAt: number | undefined;

  add(key: K, value: number): void {
    if (this.#records === 0) this.#firstRecordAt = hrtimeMs();
    this.#records++;
    this.#last.set(key, value);
  }

  finish(): BenchSinkResult {
    let total = 0;
    for (const value of this.#last.values()) total += value;
    return { records: this.#records, total, keys: this.#last.size, firstRecordAt: this.#firstRecordAt };
  }
}

/** Sink of numeric records. */
export const numericSink = defineSink(import.meta, () => {
  const sink = new CountingSink<number>();
  return {
    write: (record: NumericRecord) => sink.add(record[1], record[2]),
    finish: () => sink.finish(),
  };
});
/** Sink of object records. */
export const objectSink = defineSink(import.meta, () => {
  const sink = new CountingSink<string>();
  return {
    write: (record: ObjectRecord) => sink.add(record.key, record.value),
    finish: () => sink.finish(),
  };
});
