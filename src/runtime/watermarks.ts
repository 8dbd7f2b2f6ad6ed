/**
 * Event time: watermark strategies at sources and the watermark of a subtask with several
 * input channels. A subtask's watermark is the minimum over its non-idle inputs; it is
 * forwarded downstream only when it advances. After a restore from an unaligned checkpoint,
 * watermarks are held back until the persisted in-flight data has been replayed, so a
 * replayed record is never judged late against a watermark that overtook it.
 */
import { ConfigurationError } from '../errors/index.js';

/** The smallest watermark: nothing is known yet. */
export const NO_WATERMARK = -Infinity;

/** Extracts a record's event time, in milliseconds since the epoch. */
export type TimestampAssigner<T> = (record: T) => number;

/** How a source derives watermarks from the event times it has seen. */
export interface GeneratorStrategy<T> {
  /** Event time of a record. */
  readonly timestampOf: TimestampAssigner<T>;
  /** Records may arrive up to this many milliseconds after a later record. */
  readonly maxOutOfOrdernessMs: number;
  /** An input without records for this long is idle and stops holding the watermark back; undefined: never idle. */
  readonly idleTimeoutMs: number | undefined;
}

/**
 * The worker-side form of a bounded out-of-orderness strategy (the assigner loaded):
 * the watermark trails the largest event time seen by
 * `maxOutOfOrdernessMs` (minus one, so a record exactly that late is still on time).
 */
export function generatorStrategy<T>(
  timestampOf: TimestampAssigner<T>,
  maxOutOfOrdernessMs: number,
  options: { idleTimeoutMs?: number } = {},
): GeneratorStrategy<T> {
  if (typeof timestampOf !== 'function') throw new TypeError('timestampOf must be a function');
  if (!Number.isFinite(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
    throw new ConfigurationError(
      `maxOutOfOrdernessMs must be a finite number >= 0, got ${maxOutOfOrdernessMs}: pass how late, in milliseconds, a record may be`,
    );
  }
  const idle = options.idleTimeoutMs;
  if (idle !== undefined && (!Number.isFinite(idle) || idle <= 0)) {
    throw new ConfigurationError(`idleTimeoutMs must be a positive number of milliseconds, got ${idle}`);
  }
  return { timestampOf, maxOutOfOrdernessMs, idleTimeoutMs: idle };
}

/** The watermark generator of one source subtask. */
export class WatermarkGenerator<T> {
  readonly #strategy: GeneratorStrategy<T>;
  #maxTimestamp = NO_WATERMARK;
  #lastEmitted = NO_WATERMARK;
  #lastRecordAtMs: number;
  #idle = false;

  constructor(strategy: GeneratorStrategy<T>, nowMs: number) {
    this.#strategy = strategy;
    this.#lastRecordAtMs = nowMs;
  }

  /** Notes a record; returns its event time. */
  onRecord(record: T, nowMs: number): number {
    const t = this.#strategy.timestampOf(record);
    if (typeof t !== 'number' || Number.isNaN(t)) {
      throw new TypeError(`the timestamp assigner returned ${String(t)}, not a number of milliseconds`);
    }
    if (t > this.#maxTimestamp) this.#maxTimestamp = t;
    this.#lastRecordAtMs = nowMs;
    this.#idle = false;
    return t;
  }

  /** Whether the source has been idle longer than the strategy allows. */
  isIdle(nowMs: number): boolean {
    const timeout = this.#strategy.idleTimeoutMs;
    if (timeout !== undefined && nowMs - this.#lastRecordAtMs >= timeout) this.#idle = true;
    return this.#idle;
  }

  /** When the source counts as idle if no record comes (wall-clock ms); Infinity without a timeout or once idle. */
  idleDeadline(): number {
    const timeout = this.#strategy.idleTimeoutMs;
    return timeout === undefined || this.#idle ? Infinity : this.#lastRecordAtMs + timeout;
  }

  /** The watermark to emit now if it advanced since the last one, else undefined. */
  poll(): number | undefined {
    if (this.#maxTimestamp === NO_WATERMARK) return undefined;
    const watermark = this.#maxTimestamp - this.#strategy.maxOutOfOrdernessMs - 1;
    if (watermark <= this.#lastEmitted) return undefined;
    this.#lastEmitted = watermark;
    return watermark;
  }

  /** The last emitted watermark, for a snapshot. */
  get currentWatermark(): number {
    return this.#lastEmitted;
  }

  /** Restores from a snapshot's watermark: never emits one below it again. */
  restore(watermark: number): void {
    this.#lastEmitted = watermark;
    if (watermark > this.#maxTimestamp) this.#maxTimestamp = watermark + this.#strategy.maxOutOfOrdernessMs + 1;
  }
}

/**
 * The watermark of a subtask with `channelCount` input channels: the minimum over the
 * channels not marked idle. `update` and `markIdle` return the new watermark when it
 * advanced (the subtask forwards it then), else undefined.
 */
export class InputWatermarks {
  readonly #perChannel: Float64Array;
  readonly #idle: boolean[];
  #current: number;
  #heldForReplay = false;

  constructor(channelCount: number, restoredWatermark: number = NO_WATERMARK) {
    if (!Number.isInteger(channelCount) || channelCount < 1) {
      throw new RangeError(`channelCount must be a positive integer, got ${channelCount}`);
    }
    this.#perChannel = new Float64Array(channelCount).fill(NO_WATERMARK);
    this.#idle = new Array<boolean>(channelCount).fill(false);
    this.#current = restoredWatermark;
  }

  /** The subtask's current watermark. */
  get current(): number {
    return this.#current;
  }

  /**
   * After a restore from an unaligned checkpoint: until `replayFinished`, watermarks are
   * recorded per channel but the subtask's watermark does not advance.
   */
  holdUntilReplayed(): void {
    this.#heldForReplay = true;
  }

  /** The persisted in-flight data has been replayed; returns the watermark if it advanced. */
  replayFinished(): number | undefined {
    this.#heldForReplay = false;
    return this.#recompute();
  }

  /** A watermark frame arrived on `channel`. */
  update(channel: number, watermark: number): number | undefined {
    this.#check(channel);
    this.#idle[channel] = false;
    if (watermark > this.#perChannel[channel]!) this.#perChannel[channel] = watermark;
    return this.#recompute();
  }

  /** `channel` ended: it no longer holds the watermark back (at the end of every input the watermark is +Infinity). */
  endOfInput(channel: number): number | undefined {
    this.#check(channel);
    this.#idle[channel] = false;
    this.#perChannel[channel] = Infinity;
    return this.#recompute();
  }

  /** Whether every channel is idle (the subtask then marks its own outputs idle). */
  allIdle(): boolean {
    for (let i = 0; i < this.#idle.length; i++) if (!this.#idle[i]) return false;
    return true;
  }

  /** `channel` went idle (or active again with `idle = false`). */
  markIdle(channel: number, idle = true): number | undefined {
    this.#check(channel);
    this.#idle[channel] = idle;
    return this.#recompute();
  }

  #check(channel: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.#perChannel.length) {
      throw new RangeError(`channel must be in [0, ${this.#perChannel.length}), got ${channel}`);
    }
  }

  #recompute(): number | undefined {
    if (this.#heldForReplay) return undefined;
    let min = Infinity;
    let active = false;
    for (let i = 0; i < this.#perChannel.length; i++) {
      if (this.#idle[i]) continue;
      active = true;
      if (this.#perChannel[i]! < min) min = this.#perChannel[i]!;
    }
    // All idle: nothing to go by. Every channel at +Infinity (ended) is the end of event time.
    if (!active || min <= this.#current) return undefined;
    this.#current = min;
    return min;
  }
}

/** Writes the payload of a `FRAME_WATERMARK` frame (float64, little-endian) into `into`; returns its byte length. */
export function encodeWatermark(watermark: number, into: Uint8Array): number {
  if (into.byteLength < 8) throw new RangeError(`a watermark payload needs 8 bytes, got ${into.byteLength}`);
  new DataView(into.buffer, into.byteOffset, 8).setFloat64(0, watermark, true);
  return 8;
}

/** Reads the watermark from a `FRAME_WATERMARK` payload. */
export function decodeWatermark(payload: Uint8Array): number {
  if (payload.byteLength < 8) throw new RangeError(`a watermark payload has 8 bytes, got ${payload.byteLength}`);
  return new DataView(payload.buffer, payload.byteOffset, 8).getFloat64(0, true);
}
