/**
 * What every batch encoder offers a channel (record-batch.ts and columnar-batch.ts implement
 * it), and the key-group column they share.
 */
import { EVENT_TIME_FLAG, KEY_GROUPS_FLAG, eventTimeColumnBytes, keyGroupColumnBytes } from './frames.js';

/**
 * Collects the records bound for one channel and encodes them as one batch frame.
 * Records are appended without per-record encoding work where the shape allows it.
 */
export interface BatchEncoder {
  /** Records in the current batch. */
  readonly count: number;
  /** Whether the batch has reached its size limit and must be encoded before the next add. */
  readonly full: boolean;
  /** About how many payload bytes the batch holds now (exact for fixed layouts, estimated for msgpackr). */
  readonly bytes: number;
  /**
   * Adds a record to the batch. False when it does not fit in the batch's frame: encode the
   * batch, then add it again (it then fits, or throws if it could never fit a frame).
   * `eventTime` is kept only by encoders made with an event-time column.
   */
  add(record: unknown, ingestNanos: number, keyGroup: number, eventTime?: number): boolean;
  /**
   * Encodes records of the batch into one frame payload (valid until the next call) and
   * removes them from the batch; call until `count` is 0.
   */
  encode(): BatchPayload;
}

/** An encoded batch: `frameType` and the payload bytes (valid until the next encode). */
export interface BatchPayload {
  readonly frameType: number;
  readonly bytes: Uint8Array;
}

/**
 * The key groups of a batch being built, written as the frame's last column (see
 * {@link KEY_GROUPS_FLAG}); a do-nothing column for edges that are not hash-partitioned.
 */
export class KeyGroupColumn {
  readonly enabled: boolean;
  #groups: Uint16Array;

  constructor(enabled: boolean, capacity: number) {
    this.enabled = enabled;
    this.#groups = new Uint16Array(enabled ? capacity : 0);
  }

  /** The flag for the header's second word. */
  get flag(): number {
    return this.enabled ? KEY_GROUPS_FLAG : 0;
  }

  /** Bytes the column adds to a frame of `count` records. */
  bytes(count: number): number {
    return this.enabled ? keyGroupColumnBytes(count) : 0;
  }

  set(index: number, keyGroup: number): void {
    if (this.enabled) {
      if (index >= this.#groups.length) {
        const grown = new Uint16Array(Math.max(index + 1, this.#groups.length * 2));
        grown.set(this.#groups);
        this.#groups = grown;
      }
      this.#groups[index] = keyGroup;
    }
  }

  /** Writes the key groups of records `[from, from + count)` at the end of `payload` (8-aligned offset). */
  write(payload: Uint8Array, from: number, count: number): void {
    if (!this.enabled) return;
    const start = payload.byteLength - keyGroupColumnBytes(count);
    new Uint16Array(payload.buffer, payload.byteOffset + start, count).set(this.#groups.subarray(from, from + count));
  }

  /** Drops the first `count` entries (records encoded into a frame while others stay). */
  shift(count: number, total: number): void {
    if (this.enabled) this.#groups.copyWithin(0, count, total);
  }
}

/**
 * The event times of a batch being built, written as a float64 column just before the key
 * groups (see {@link EVENT_TIME_FLAG}); a do-nothing column on edges of jobs without event time.
 */
export class EventTimeColumn {
  readonly enabled: boolean;
  #times: Float64Array;

  constructor(enabled: boolean, capacity: number) {
    this.enabled = enabled;
    this.#times = new Float64Array(enabled ? capacity : 0);
  }

  /** The flag for the header's second word. */
  get flag(): number {
    return this.enabled ? EVENT_TIME_FLAG : 0;
  }

  /** Bytes the column adds to a frame of `count` records. */
  bytes(count: number): number {
    return this.enabled ? eventTimeColumnBytes(count) : 0;
  }

  set(index: number, eventTime: number | undefined): void {
    if (this.enabled) {
      if (index >= this.#times.length) {
        const grown = new Float64Array(Math.max(index + 1, this.#times.length * 2));
        grown.set(this.#times);
        this.#times = grown;
      }
      this.#times[index] = eventTime ?? NaN;
    }
  }

  /**
   * Writes the event times of records `[from, from + count)` into `payload`, ending
   * `after` bytes before its end (the key-group column follows); the offset is 8-aligned.
   */
  write(payload: Uint8Array, from: number, count: number, after: number): void {
    if (!this.enabled) return;
    const start = payload.byteLength - after - eventTimeColumnBytes(count);
    new Float64Array(payload.buffer, payload.byteOffset + start, count).set(this.#times.subarray(from, from + count));
  }

  /** Drops the first `count` entries (records encoded into a frame while others stay). */
  shift(count: number, total: number): void {
    if (this.enabled) this.#times.copyWithin(0, count, total);
  }
}
