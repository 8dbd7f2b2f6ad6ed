/**
 * A deterministic, replayable data generator: the source for benchmarks and tests.
 *
 * Record `seq` is a pure function of `(seed, seq)`, and subtask `i` of `p` emits exactly the
 * sequence numbers `seq ≡ i (mod p)`, so every run, every parallelism and every resume from a
 * checkpoint produce the same records.
 */
import type { Collector } from '../api/context.js';
import { defineSource } from '../api/functions.js';
import type { SourceContext, SourceFunction, SourceStatus } from '../api/functions.js';
import { OBJECT_RECORDS, numericRecords } from '../api/specs.js';
import type { SourceSpec } from '../api/specs.js';
import { ConfigurationError } from '../errors/index.js';
import { choiceOption, describeValue, hasIntegerPairs, integerOption, optionsObject } from './option-checks.js';

/** A numeric generator record: `[seq, key, value]`, all integers. */
export type NumericGeneratorRecord = [seq: number, key: number, value: number];

/** An object generator record. */
export interface ObjectGeneratorRecord {
  /** Sequence number, unique across the whole source. */
  seq: number;
  /** `'key-<n>'` with `n` in `[0, keys)`. */
  key: string;
  /** An integer in `[0, GENERATOR_VALUE_RANGE)`. */
  value: number;
  /** A string of `payloadBytes` ASCII characters, present when `payloadBytes > 0`. */
  payload?: string;
}

/** Options of {@link generatorSource}. */
export interface GeneratorSourceOptions {
  /** Seed of the records; any safe integer. Default 0. */
  readonly seed?: number;
  /** Records across all subtasks; `Infinity` (the default) for an unbounded source. */
  readonly count?: number;
  /** Number of distinct keys; keys are integers in `[0, keys)`. Default 1000. */
  readonly keys?: number;
  /** `'numeric'` (default): `[seq, key, value]` on the numeric fast path; `'object'`: {@link ObjectGeneratorRecord}. */
  readonly shape?: 'numeric' | 'object';
  /**
   * Records per second for the whole source, split evenly over its subtasks. Unlimited when
   * omitted. After a stall a subtask catches up at most {@link GENERATOR_MAX_CATCH_UP_SECONDS}
   * worth of records in a burst.
   */
  readonly ratePerSecond?: number;
  /** Object records only: adds a `payload` string of this many ASCII characters. Default 0. */
  readonly payloadBytes?: number;
}

/** Values are integers in `[0, GENERATOR_VALUE_RANGE)`: sums stay exact for 9e12 records, in any order. */
export const GENERATOR_VALUE_RANGE = 1000;

/** A rate-limited subtask that fell behind bursts at most this much of its rate to catch up. */
export const GENERATOR_MAX_CATCH_UP_SECONDS = 0.1;

/** The generator's options after validation, with defaults filled in: what crosses to the workers. */
export interface ResolvedGeneratorOptions {
  readonly seed: number;
  readonly count: number;
  readonly keys: number;
  readonly shape: 'numeric' | 'object';
  /** null: unlimited. */
  readonly ratePerSecond: number | null;
  readonly payloadBytes: number;
}

const CONNECTOR = 'generatorSource';
/** Key strings are cached up to this many keys; beyond, they are built per record. */
const KEY_STRING_CACHE_LIMIT = 1 << 16;
const TWO_POW_32 = 2 ** 32;
const INVERSE_TWO_POW_32 = 2 ** -32;

/** Validates generator options and fills in defaults. */
export function resolveGeneratorOptions(options: unknown): ResolvedGeneratorOptions {
  const given = optionsObject(CONNECTOR, options);
  const seed = integerOption(CONNECTOR, 'seed', given.seed, { min: Number.MIN_SAFE_INTEGER, fallback: 0 });
  // null: what Infinity becomes in JSON, so options that went through JSON still resolve.
  const count =
    given.count === undefined || given.count === null || given.count === Infinity
      ? Infinity
      : integerOption(CONNECTOR, 'count', given.count, { min: 0 });
  const keys = integerOption(CONNECTOR, 'keys', given.keys, { min: 1, fallback: 1000 });
  if (keys > TWO_POW_32) {
    throw new ConfigurationError(`${CONNECTOR}: options.keys must be at most 2^32, got ${keys}`);
  }
  const shape = choiceOption(CONNECTOR, 'shape', given.shape, ['numeric', 'object'] as const, 'numeric');
  let ratePerSecond: number | null = null;
  if (given.ratePerSecond !== undefined && given.ratePerSecond !== null) {
    if (!(typeof given.ratePerSecond === 'number' && Number.isFinite(given.ratePerSecond) && given.ratePerSecond > 0)) {
      throw new ConfigurationError(
        `${CONNECTOR}: options.ratePerSecond must be a positive finite number, got ${describeValue(given.ratePerSecond)}; omit it for no limit`,
      );
    }
    ratePerSecond = given.ratePerSecond;
  }
  const payloadBytes = integerOption(CONNECTOR, 'payloadBytes', given.payloadBytes, { min: 0, fallback: 0 });
  if (payloadBytes > 0 && shape !== 'object') {
    throw new ConfigurationError(`${CONNECTOR}: options.payloadBytes needs shape: 'object' (numeric records have no payload)`);
  }
  return { seed, count, keys, shape, ratePerSecond, payloadBytes };
}

/**
 * A 32-bit integer hash with low bias (Chris Wellons' "lowbias32"). It is a bijection on
 * uint32, so distinct sequence numbers below 2^32 never share a hash.
 */
function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Folds a safe-integer seed into 32 bits, mixing in its high word. */
function seedHash(seed: number): number {
  return hash32((seed >>> 0) ^ hash32(Math.floor(seed * INVERSE_TWO_POW_32) >>> 0) ^ 0x9e3779b9);
}

/**
 * The hash of record `seq` under `seedBits`; key and value are derived from it. The high word
 * of `seq` (0 below 2^32) is mixed in so that sequences past 2^32 do not repeat.
 */
function recordHash(seedBits: number, seq: number): number {
  const high = seq < TWO_POW_32 ? 0 : Math.floor(seq * INVERSE_TWO_POW_32);
  return hash32((seq >>> 0) ^ seedBits ^ Math.imul(high, 0x85ebca6b));
}

/** The key, in `[0, keys)`, of a record with hash `h`. */
function keyOf(h: number, keys: number): number {
  return Math.floor(h * INVERSE_TWO_POW_32 * keys);
}

/** The value, in `[0, GENERATOR_VALUE_RANGE)`, of a record with hash `h`. */
function valueOf(h: number): number {
  return Math.floor(hash32(h ^ 0x5bd1e995) * INVERSE_TWO_POW_32 * GENERATOR_VALUE_RANGE);
}

/**
 * The record the generator emits for `seq` under `options`: the same on every subtask, at
 * every parallelism. Exposed so tests and benchmarks can compute expected output.
 */
export function generatorRecord(options: GeneratorSourceOptions, seq: number): NumericGeneratorRecord | ObjectGeneratorRecord {
  const resolved = resolveGeneratorOptions(options);
  const h = recordHash(seedHash(resolved.seed), seq);
  if (resolved.shape === 'numeric') return [seq, keyOf(h, resolved.keys), valueOf(h)];
  const record: ObjectGeneratorRecord = { seq, key: `key-${keyOf(h, resolved.keys)}`, value: valueOf(h) };
  if (resolved.payloadBytes > 0) record.payload = payloadString(resolved.seed, resolved.payloadBytes);
  return record;
}

/** The payload string: deterministic from the seed, printable ASCII so that its length is its byte size. */
function payloadString(seed: number, length: number): string {
  const bytes = Buffer.allocUnsafe(length);
  let state = seedHash(seed);
  for (let i = 0; i < length; i++) {
    state = hash32(state + i);
    bytes[i] = 0x21 + (state % 94); // '!' .. '~'
  }
  return bytes.toString('latin1');
}

/**
 * A token schedule for one subtask: allows `rate` records per second on average, with bursts
 * bounded by {@link GENERATOR_MAX_CATCH_UP_SECONDS}, and wakes the subtask by timer when the
 * next record is due.
 */
class RateSchedule {
  readonly #msPerRecord: number;
  readonly #maxBurst: number;
  readonly #wakeup: () => void;
  /** When record 0 of the schedule was due (ms, performance.now()). */
  #startMs = NaN;
  /** Records emitted since `#startMs`. */
  #emitted = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(recordsPerSecond: number, wakeup: () => void) {
    this.#msPerRecord = 1000 / recordsPerSecond;
    this.#maxBurst = Math.max(1, Math.ceil(recordsPerSecond * GENERATOR_MAX_CATCH_UP_SECONDS));
    this.#wakeup = wakeup;
  }

  /** How many records may be emitted now (at least 0). */
  allowance(): number {
    const now = performance.now();
    if (Number.isNaN(this.#startMs)) this.#startMs = now;
    // Record k is due at start + k / rate; the first one at once.
    let allowance = Math.floor((now - this.#startMs) / this.#msPerRecord) + 1 - this.#emitted;
    if (allowance > this.#maxBurst) {
      // Forgive the debt beyond one burst: move the schedule forward instead of flooding.
      this.#startMs += (allowance - this.#maxBurst) * this.#msPerRecord;
      allowance = this.#maxBurst;
    }
    return allowance > 0 ? allowance : 0;
  }

  /** Counts records emitted against the schedule. */
  consumed(records: number): void {
    this.#emitted += records;
  }

  /** Arms a timer that calls wakeup when the next record is due (once, however often called). */
  wakeWhenDue(): void {
    if (this.#timer !== undefined) return;
    const dueMs = this.#startMs + this.#emitted * this.#msPerRecord;
    const delayMs = Math.max(1, Math.ceil(dueMs - performance.now()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#wakeup();
    }, delayMs);
  }

  /** Cancels a pending timer. */
  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * A generator position after a restore at another parallelism: the old subtasks' sequences
 * (splits) this subtask took over, each as `[next sequence number, step]`.
 */
export interface GeneratorSplitsPosition {
  readonly splits: ReadonlyArray<readonly [next: number, step: number]>;
}

/** A generator subtask's position: the next sequence number (step = parallelism), or its splits after a rescale. */
export type GeneratorPosition = number | GeneratorSplitsPosition;

function isSplitsPosition(position: unknown): position is GeneratorSplitsPosition {
  // Each split is [next, step], with a positive step.
  return hasIntegerPairs(position, 'splits') && (position as GeneratorSplitsPosition).splits.every(([, step]) => step > 0);
}

/**
 * One subtask of the generator. Position: the next sequence number it will emit; after a
 * restore at another parallelism, the old subtasks' sequences it took over (it emits from
 * them in turn, one record each).
 */
class GeneratorSubtask implements SourceFunction<NumericGeneratorRecord | ObjectGeneratorRecord, GeneratorPosition> {
  readonly #options: ResolvedGeneratorOptions;
  readonly #seedBits: number;
  #step = 1;
  #nextSeq = 0;
  /** After a rescale: `[next, step]` per split taken over (undefined: one sequence, `#nextSeq`/`#step`). */
  #splits: Array<[number, number]> | undefined;
  /** The split the next record comes from. */
  #turn = 0;
  #schedule: RateSchedule | undefined;
  #keyStrings: string[] = [];
  #payload = '';

  constructor(options: ResolvedGeneratorOptions) {
    this.#options = options;
    this.#seedBits = seedHash(options.seed);
  }

  /** Hands each old subtask's remaining sequence (split) to one new subtask, round robin over all splits. */
  rescalePosition(ctx: SourceContext, previous: readonly GeneratorPosition[]): GeneratorPosition {
    const splits: Array<[number, number]> = [];
    previous.forEach((position, old) => {
      if (position === undefined) return; // that subtask had finished: nothing of it is left
      if (typeof position === 'number') splits.push([position, previous.length]);
      else if (isSplitsPosition(position)) for (const [next, step] of position.splits) splits.push([next, step]);
      else {
        throw new ConfigurationError(
          `generator subtask ${ctx.subtaskIndex}: cannot rescale from the position of old subtask ${old}, ${describeValue(position)}`,
        );
      }
    });
    const live = splits.filter(([next]) => next < this.#options.count);
    return { splits: live.filter((_, index) => index % ctx.parallelism === ctx.subtaskIndex) };
  }

  open(ctx: SourceContext, restoredPosition: GeneratorPosition | undefined): void {
    const { subtaskIndex, parallelism } = ctx;
    this.#step = parallelism;
    if (isSplitsPosition(restoredPosition)) {
      this.#splits = restoredPosition.splits.map(([next, step]) => [next, step]);
    } else if (restoredPosition === undefined) {
      this.#nextSeq = subtaskIndex;
    } else {
      if (!(Number.isSafeInteger(restoredPosition) && restoredPosition >= 0)) {
        throw new ConfigurationError(
          `generator subtask ${subtaskIndex}: cannot resume from position ${describeValue(restoredPosition)}; a position is a sequence number`,
        );
      }
      if (restoredPosition % parallelism !== subtaskIndex) {
        throw new ConfigurationError(
          `generator subtask ${subtaskIndex} of ${parallelism}: cannot resume from sequence number ${restoredPosition}, ` +
            `which belongs to another subtask; the checkpoint was taken at a different parallelism`,
        );
      }
      this.#nextSeq = restoredPosition;
    }
    if (this.#options.ratePerSecond !== null) {
      this.#schedule = new RateSchedule(this.#options.ratePerSecond / parallelism, () => ctx.wakeup());
    }
    if (this.#options.shape === 'object' && this.#options.payloadBytes > 0) {
      this.#payload = payloadString(this.#options.seed, this.#options.payloadBytes);
    }
  }

  poll(out: Collector<NumericGeneratorRecord | ObjectGeneratorRecord>, budget: number): SourceStatus {
    const { count } = this.#options;
    const step = this.#step;
    let records = budget;
    if (this.#splits) {
      if (this.#splits.length === 0) return 'end';
    } else if (count !== Infinity) {
      const remaining = this.#nextSeq < count ? Math.ceil((count - this.#nextSeq) / step) : 0;
      if (remaining === 0) return 'end';
      if (remaining < records) records = remaining;
    }
    let limitedByRate = false;
    if (this.#schedule !== undefined) {
      const allowance = this.#schedule.allowance();
      if (allowance < records) {
        records = allowance;
        limitedByRate = true;
      }
      this.#schedule.consumed(records);
    }
    if (this.#splits) {
      this.#emitFromSplits(out, records);
      if (this.#splits.length === 0) return 'end';
    } else if (this.#options.shape === 'numeric') {
      this.#emitNumeric(out as Collector<NumericGeneratorRecord>, records);
    } else {
      this.#emitObjects(out as Collector<ObjectGeneratorRecord>, records);
    }
    if (!this.#splits && count !== Infinity && this.#nextSeq >= count) return 'end';
    if (limitedByRate) {
      this.#schedule!.wakeWhenDue();
      return 'idle';
    }
    return 'more';
  }

  #emitNumeric(out: Collector<NumericGeneratorRecord>, records: number): void {
    const seedBits = this.#seedBits;
    const keys = this.#options.keys;
    const step = this.#step;
    let seq = this.#nextSeq;
    for (let i = 0; i < records; i++) {
      const h = recordHash(seedBits, seq);
      out.collect([seq, keyOf(h, keys), valueOf(h)]);
      seq += step;
      this.#nextSeq = seq;
    }
  }

  #emitObjects(out: Collector<ObjectGeneratorRecord>, records: number): void {
    const seedBits = this.#seedBits;
    const keys = this.#options.keys;
    const step = this.#step;
    const withPayload = this.#options.payloadBytes > 0;
    let seq = this.#nextSeq;
    for (let i = 0; i < records; i++) {
      const h = recordHash(seedBits, seq);
      const record: ObjectGeneratorRecord = { seq, key: this.#keyString(keyOf(h, keys)), value: valueOf(h) };
      if (withPayload) record.payload = this.#payload;
      out.collect(record);
      seq += step;
      this.#nextSeq = seq;
    }
  }

  /** Emits up to `records` records from the splits in turn; a split that reaches `count` is dropped. */
  #emitFromSplits(out: Collector<NumericGeneratorRecord | ObjectGeneratorRecord>, records: number): void {
    const splits = this.#splits!;
    const { count, keys } = this.#options;
    for (let i = 0; i < records && splits.length > 0; i++) {
      if (this.#turn >= splits.length) this.#turn = 0;
      const split = splits[this.#turn]!;
      const seq = split[0];
      const h = recordHash(this.#seedBits, seq);
      if (this.#options.shape === 'numeric') {
        out.collect([seq, keyOf(h, keys), valueOf(h)]);
      } else {
        const record: ObjectGeneratorRecord = { seq, key: this.#keyString(keyOf(h, keys)), value: valueOf(h) };
        if (this.#options.payloadBytes > 0) record.payload = this.#payload;
        out.collect(record);
      }
      split[0] = seq + split[1];
      if (split[0] >= count) splits.splice(this.#turn, 1);
      else this.#turn++;
    }
  }

  #keyString(key: number): string {
    if (key >= KEY_STRING_CACHE_LIMIT) return `key-${key}`;
    return (this.#keyStrings[key] ??= `key-${key}`);
  }

  position(): GeneratorPosition {
    if (this.#splits) return { splits: this.#splits.map(([next, step]) => [next, step] as const) };
    return this.#nextSeq;
  }

  close(): void {
    this.#schedule?.cancel();
  }
}

/** The generator's source definition; the runtime instantiates it in each subtask's worker. */
export const generatorSourceDefinition = defineSource(
  import.meta,
  (options: unknown): SourceFunction<NumericGeneratorRecord | ObjectGeneratorRecord> =>
    new GeneratorSubtask(resolveGeneratorOptions(options)),
);

/**
 * A deterministic generator source. Subtask `i` of `p` emits the sequence numbers
 * `seq ≡ i (mod p)` below `count`; key and value are pure functions of `(seed, seq)`.
 *
 * ```ts
 * pipeline.source(generatorSource({ seed: 7, count: 1_000_000, keys: 100 }));  // [seq, key, value]
 * pipeline.source(generatorSource({ shape: 'object', payloadBytes: 256, ratePerSecond: 50_000 }));
 * ```
 *
 * @throws ConfigurationError naming the option that is invalid.
 */
export function generatorSource(options: GeneratorSourceOptions & { readonly shape: 'object' }): SourceSpec<ObjectGeneratorRecord>;
export function generatorSource(options?: GeneratorSourceOptions & { readonly shape?: 'numeric' }): SourceSpec<NumericGeneratorRecord>;
export function generatorSource(options?: GeneratorSourceOptions): SourceSpec<NumericGeneratorRecord | ObjectGeneratorRecord>;
export function generatorSource(options?: GeneratorSourceOptions): SourceSpec<NumericGeneratorRecord | ObjectGeneratorRecord> {
  const resolved = resolveGeneratorOptions(options);
  return {
    fn: generatorSourceDefinition,
    options: resolved,
    name: 'generator',
    shape: resolved.shape === 'numeric' ? numericRecords(3) : OBJECT_RECORDS,
  };
}
