import { Packr, Unpackr } from 'msgpackr';
import { FRAME_HEADER_BYTES, frameBytes } from '../../native-free-buffers/index.js';
import type { RecordShape } from '../api/specs.js';
import { EventTimeColumn, KeyGroupColumn } from './batch-encoder.js';
import type { BatchEncoder, BatchPayload } from './batch-encoder.js';
import { ColumnarBatchEncoder, ColumnarFrameReader } from './columnar-batch.js';
import {
  BATCH_FLAGS,
  BATCH_HEADER_BYTES,
  EVENT_TIME_FLAG,
  FRAME_COLUMNAR_BATCH,
  FRAME_NUMERIC_BATCH,
  FRAME_OBJECT_BATCH,
  KEY_GROUPS_FLAG,
  NO_TIMESTAMP,
  eventTimeColumnBytes,
  keyGroupColumnBytes,
} from './frames.js';

export type { BatchEncoder, BatchPayload } from './batch-encoder.js';

/** Largest batch frame payload sluice writes: big enough to amortize, small enough to pipeline. */
export const MAX_BATCH_BYTES = 32 * 1024;

/**
 * Creates the encoder for a record shape; `maxFrameBytes` is the channel's frame limit.
 * `withEventTime`: batches carry each record's event time (jobs with event time).
 */
export function createBatchEncoder(shape: RecordShape, maxFrameBytes: number, withKeyGroups = false, withEventTime = false): BatchEncoder {
  switch (shape.kind) {
    case 'numeric':
      return new NumericBatchEncoder(shape.arity, Math.min(maxFrameBytes, MAX_BATCH_BYTES), withKeyGroups, withEventTime);
    case 'schema':
    case 'string':
      return new ColumnarBatchEncoder(shape, maxFrameBytes, MAX_BATCH_BYTES, withKeyGroups, withEventTime);
    default:
      return new ObjectBatchEncoder(maxFrameBytes, withKeyGroups, withEventTime);
  }
}

class NumericBatchEncoder implements BatchEncoder {
  readonly #arity: number;
  readonly #capacity: number;
  readonly #bytes: Uint8Array;
  readonly #words: Uint32Array;
  readonly #floats: Float64Array;
  readonly #timestamps: Float64Array;
  readonly #values: Float64Array;
  readonly #keyGroups: KeyGroupColumn;
  readonly #eventTimes: EventTimeColumn;
  #count = 0;

  constructor(arity: number, budget: number, withKeyGroups: boolean, withEventTime: boolean) {
    this.#arity = arity;
    this.#capacity = Math.max(1, Math.floor((budget - BATCH_HEADER_BYTES) / (8 * (arity + 1) + (withKeyGroups ? 2 : 0) + (withEventTime ? 8 : 0))));
    this.#timestamps = new Float64Array(this.#capacity);
    this.#values = new Float64Array(this.#capacity * arity);
    this.#keyGroups = new KeyGroupColumn(withKeyGroups, this.#capacity);
    this.#eventTimes = new EventTimeColumn(withEventTime, this.#capacity);
    const buffer = new ArrayBuffer(
      BATCH_HEADER_BYTES + this.#capacity * 8 * (arity + 1) + this.#eventTimes.bytes(this.#capacity) + this.#keyGroups.bytes(this.#capacity),
    );
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Uint32Array(buffer, 0, 2);
    this.#floats = new Float64Array(buffer);
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count === this.#capacity;
  }

  get bytes(): number {
    return BATCH_HEADER_BYTES + this.#count * 8 * (this.#arity + 1) + this.#eventTimes.bytes(this.#count);
  }

  add(record: unknown, ingestNanos: number, keyGroup: number, eventTime?: number): boolean {
    const values = record as ArrayLike<number>;
    const arity = this.#arity;
    if (values === null || typeof values !== 'object' || values.length !== arity) {
      throw new TypeError(
        `a numeric(${arity}) record must be an array of ${arity} numbers, got ${describe(record)}`,
      );
    }
    const base = this.#count * arity;
    for (let i = 0; i < arity; i++) this.#values[base + i] = values[i]!;
    this.#keyGroups.set(this.#count, keyGroup);
    this.#eventTimes.set(this.#count, eventTime);
    this.#timestamps[this.#count++] = ingestNanos;
    return true;
  }

  encode(): BatchPayload {
    const count = this.#count;
    this.#words[0] = count;
    this.#words[1] = (this.#arity | this.#keyGroups.flag | this.#eventTimes.flag) >>> 0;
    this.#floats.set(this.#timestamps.subarray(0, count), 1);
    this.#floats.set(this.#values.subarray(0, count * this.#arity), 1 + count);
    this.#count = 0;
    const keyGroupBytes = this.#keyGroups.bytes(count);
    const bytes = this.#bytes.subarray(0, BATCH_HEADER_BYTES + count * 8 * (this.#arity + 1) + this.#eventTimes.bytes(count) + keyGroupBytes);
    this.#eventTimes.write(bytes, 0, count, keyGroupBytes);
    this.#keyGroups.write(bytes, 0, count);
    return { frameType: FRAME_NUMERIC_BATCH, bytes };
  }
}

/** Records per object batch: msgpackr amortizes its per-call cost over about this many. */
const OBJECT_BATCH_RECORDS = 256;

class ObjectBatchEncoder implements BatchEncoder {
  readonly #packr = new Packr({ useRecords: true });
  readonly #records: unknown[] = [];
  readonly #timestamps = new Float64Array(OBJECT_BATCH_RECORDS);
  readonly #maxFrameBytes: number;
  readonly #keyGroups: KeyGroupColumn;
  readonly #eventTimes: EventTimeColumn;
  #scratch = new Uint8Array(MAX_BATCH_BYTES);
  /** Payload bytes per record of the last batch encoded: the estimate behind {@link bytes}. */
  #bytesPerRecord = 64;

  constructor(maxFrameBytes: number, withKeyGroups: boolean, withEventTime: boolean) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#keyGroups = new KeyGroupColumn(withKeyGroups, OBJECT_BATCH_RECORDS);
    this.#eventTimes = new EventTimeColumn(withEventTime, OBJECT_BATCH_RECORDS);
  }

  get count(): number {
    return this.#records.length;
  }

  get full(): boolean {
    return this.#records.length === OBJECT_BATCH_RECORDS;
  }

  get bytes(): number {
    return BATCH_HEADER_BYTES + this.#records.length * this.#bytesPerRecord;
  }

  add(record: unknown, ingestNanos: number, keyGroup: number, eventTime?: number): boolean {
    this.#keyGroups.set(this.#records.length, keyGroup);
    this.#eventTimes.set(this.#records.length, eventTime);
    this.#timestamps[this.#records.length] = ingestNanos;
    this.#records.push(record);
    return true;
  }

  /**
   * Encodes as many of the batch's records as fit in one frame (all of them, unless records
   * are large); the rest stay for the next call.
   */
  encode(): BatchPayload {
    const total = this.#records.length;
    let count = total;
    let packed = this.#packr.pack(this.#records);
    const keyGroups = this.#keyGroups;
    const eventTimes = this.#eventTimes;
    while (BATCH_HEADER_BYTES + count * 8 + align8(packed.byteLength) + eventTimes.bytes(count) + keyGroups.bytes(count) > this.#maxFrameBytes) {
      if (count === 1) {
        throw new RangeError(
          `a record of ${packed.byteLength} encoded bytes exceeds the channel's frame limit of ${this.#maxFrameBytes} bytes; ` +
            'give the pipeline a larger channelBytes (the frame limit is a quarter of it)',
        );
      }
      count >>= 1;
      packed = this.#packr.pack(this.#records.slice(0, count));
    }
    // With trailing columns, the packed records are padded to 8 so the columns after them are aligned.
    const trailers = keyGroups.enabled || eventTimes.enabled;
    const packedBytes = trailers ? align8(packed.byteLength) : packed.byteLength;
    const size = BATCH_HEADER_BYTES + count * 8 + packedBytes + eventTimes.bytes(count) + keyGroups.bytes(count);
    if (size > this.#scratch.byteLength) this.#scratch = new Uint8Array(Math.max(size, this.#scratch.byteLength * 2));
    const bytes = this.#scratch;
    const header = new DataView(bytes.buffer, 0, BATCH_HEADER_BYTES);
    header.setUint32(0, count, true);
    // With trailing columns, the second word also holds the packed length: unpack wants no padding.
    header.setUint32(4, trailers ? (keyGroups.flag | eventTimes.flag | packed.byteLength) >>> 0 : 0, true);
    new Float64Array(bytes.buffer, BATCH_HEADER_BYTES, count).set(this.#timestamps.subarray(0, count));
    bytes.set(packed, BATCH_HEADER_BYTES + count * 8);
    const payload = bytes.subarray(0, size);
    eventTimes.write(payload, 0, count, keyGroups.bytes(count));
    keyGroups.write(payload, 0, count);
    this.#bytesPerRecord = Math.max(8, Math.ceil((size - BATCH_HEADER_BYTES) / count));
    if (count === total) {
      this.#records.length = 0;
    } else {
      this.#records.splice(0, count);
      this.#timestamps.copyWithin(0, count, total);
      keyGroups.shift(count, total);
      eventTimes.shift(count, total);
    }
    return { frameType: FRAME_OBJECT_BATCH, bytes: payload };
  }
}

const align8 = (bytes: number) => (bytes + 7) & ~7;
const NO_KEY_GROUPS = new Uint16Array(0);
const NO_EVENT_TIMES = new Float64Array(0);

/**
 * Receives decoded records; `ingestNanos` is the record's ingestion timestamp, `keyGroup` the key
 * group its producer computed (hash-partitioned channels) or -1, `eventTime` the record's event
 * time (milliseconds) when the batch carries event times, else NaN.
 */
export type RecordHandler = (record: unknown, ingestNanos: number, keyGroup: number, eventTime: number) => void;

/**
 * The numeric record of `arity` values at `values[base]`, as a fresh array (the consumer may
 * keep it). Array literals for the small arities make packed double arrays in one allocation.
 */
function numericRecord(values: Float64Array, base: number, arity: number): number[] {
  switch (arity) {
    case 1:
      return [values[base]!];
    case 2:
      return [values[base]!, values[base + 1]!];
    case 3:
      return [values[base]!, values[base + 1]!, values[base + 2]!];
    case 4:
      return [values[base]!, values[base + 1]!, values[base + 2]!, values[base + 3]!];
    default: {
      const record = new Array<number>(arity);
      for (let f = 0; f < arity; f++) record[f] = values[base + f]!;
      return record;
    }
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return value === null ? 'null' : typeof value;
}

/**
 * A batch frame being handed out record by record, so a subtask can stop between records
 * (to take an announcement, a control message, or to respect backpressure) and resume later.
 * Ring memory is borrowed while the frame is processed in one go; {@link detach} copies what
 * is left before the ring may reuse it.
 */
export class BatchCursor {
  /** The shape of the channel's records: columnar frames need it to build records. */
  readonly #shape: RecordShape | undefined;
  #columnar: ColumnarFrameReader | undefined;
  /** Where the columnar frame being handed out lies, for {@link detach}. */
  #frame: { bytes: Uint8Array; offset: number; length: number } = { bytes: new Uint8Array(0), offset: 0, length: 0 };
  /** Whether the frame being handed out was copied out of ring memory already. */
  #detached = false;
  readonly #unpackr = new Unpackr({ useRecords: true });
  readonly #packr = new Packr({ useRecords: true });
  #scratch = Buffer.allocUnsafe(MAX_BATCH_BYTES);
  #frameType = 0;
  #count = 0;
  #index = 0;
  #arity = 0;
  #timestamps: Float64Array = new Float64Array(0);
  #values: Float64Array = new Float64Array(0);
  #records: unknown[] = [];
  /** The frame's key-group column, or an empty array when it has none. */
  #keyGroups: Uint16Array = NO_KEY_GROUPS;
  /** The frame's event-time column, or an empty array when it has none. */
  #eventTimes: Float64Array = NO_EVENT_TIMES;

  /** A cursor over a channel whose records have `shape` (needed for `schema` and `string` records). */
  constructor(shape?: RecordShape) {
    this.#shape = shape;
  }

  /** Whether records of a frame are left. */
  get active(): boolean {
    return this.#index < this.#count;
  }

  /** Records left in the frame. */
  get remaining(): number {
    return this.#count - this.#index;
  }

  /** Starts on the batch frame at `bytes[offset, offset + length)` (8-byte aligned in its buffer). */
  begin(frameType: number, bytes: Uint8Array, offset: number, length: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
    const count = view.getUint32(0, true);
    const flags = view.getUint32(4, true);
    // The event-time and key-group columns, when present, end the payload: the rest of the layout is unchanged.
    const keyGroupBytes = (flags & KEY_GROUPS_FLAG) !== 0 ? keyGroupColumnBytes(count) : 0;
    const eventTimeBytes = (flags & EVENT_TIME_FLAG) !== 0 ? eventTimeColumnBytes(count) : 0;
    const body = length - keyGroupBytes - eventTimeBytes;
    this.#keyGroups = keyGroupBytes > 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset + offset + body + eventTimeBytes, count) : NO_KEY_GROUPS;
    this.#eventTimes = eventTimeBytes > 0 ? new Float64Array(bytes.buffer, bytes.byteOffset + offset + body, count) : NO_EVENT_TIMES;
    this.#frameType = frameType;
    this.#index = 0;
    this.#detached = false;
    this.#timestamps = new Float64Array(bytes.buffer, bytes.byteOffset + offset + BATCH_HEADER_BYTES, count);
    if (frameType === FRAME_NUMERIC_BATCH) {
      this.#arity = (flags & ~BATCH_FLAGS) >>> 0;
      this.#values = new Float64Array(bytes.buffer, bytes.byteOffset + offset + BATCH_HEADER_BYTES + count * 8, count * this.#arity);
    } else if (frameType === FRAME_OBJECT_BATCH) {
      const packedStart = offset + BATCH_HEADER_BYTES + count * 8;
      // With trailing columns, the packed length is in the flags word (the padding before them is not msgpack).
      const packedLength = keyGroupBytes + eventTimeBytes > 0 ? (flags & ~BATCH_FLAGS) >>> 0 : body - BATCH_HEADER_BYTES - count * 8;
      if (packedLength > this.#scratch.byteLength) this.#scratch = Buffer.allocUnsafe(packedLength * 2);
      this.#scratch.set(bytes.subarray(packedStart, packedStart + packedLength));
      this.#records = this.#unpackr.unpack(this.#scratch.subarray(0, packedLength)) as unknown[];
    } else if (frameType === FRAME_COLUMNAR_BATCH) {
      this.#columnarReader().bind(bytes, offset, body);
      this.#frame.bytes = bytes;
      this.#frame.offset = offset;
      this.#frame.length = body;
    } else {
      throw new RangeError(`unknown frame type ${frameType} in a record channel`);
    }
    this.#count = count;
  }

  #columnarReader(): ColumnarFrameReader {
    if (!this.#columnar) {
      const shape = this.#shape;
      if (!shape || (shape.kind !== 'schema' && shape.kind !== 'string')) {
        throw new RangeError(`a columnar batch frame arrived on a channel of ${shape ? shape.kind : 'unknown'} records`);
      }
      this.#columnar = new ColumnarFrameReader(shape);
    }
    return this.#columnar;
  }

  /** Hands at most `budget` records to `handler`; returns how many it handed. */
  step(handler: RecordHandler, budget: number): number {
    const end = Math.min(this.#count, this.#index + budget);
    const start = this.#index;
    const timestamps = this.#timestamps;
    const keyGroups = this.#keyGroups;
    const withKeyGroups = keyGroups.length > 0;
    const eventTimes = this.#eventTimes;
    const withEventTimes = eventTimes.length > 0;
    if (this.#frameType === FRAME_NUMERIC_BATCH) {
      const values = this.#values;
      const arity = this.#arity;
      // Advance before the call: a handler that throws must not see the record again.
      for (let i = start; i < end; i++) {
        this.#index = i + 1;
        handler(numericRecord(values, i * arity, arity), timestamps[i]!, withKeyGroups ? keyGroups[i]! : -1, withEventTimes ? eventTimes[i]! : NO_TIMESTAMP);
      }
    } else if (this.#frameType === FRAME_COLUMNAR_BATCH) {
      const build = this.#columnar!.build;
      for (let i = start; i < end; i++) {
        this.#index = i + 1;
        handler(build(i), timestamps[i]!, withKeyGroups ? keyGroups[i]! : -1, withEventTimes ? eventTimes[i]! : NO_TIMESTAMP);
      }
    } else {
      const records = this.#records;
      for (let i = start; i < end; i++) {
        this.#index = i + 1;
        handler(records[i], timestamps[i]!, withKeyGroups ? keyGroups[i]! : -1, withEventTimes ? eventTimes[i]! : NO_TIMESTAMP);
      }
    }
    return end - start;
  }

  /** Copies the rest of the frame out of ring memory, which the reader may now release. */
  detach(): void {
    if (!this.active || this.#detached) return;
    this.#detached = true;
    if (this.#keyGroups.length > 0) this.#keyGroups = this.#keyGroups.slice();
    if (this.#eventTimes.length > 0) this.#eventTimes = this.#eventTimes.slice();
    if (this.#frameType === FRAME_COLUMNAR_BATCH) {
      const frame = this.#frame;
      this.#columnar!.detach(frame.bytes, frame.offset, frame.length);
      frame.bytes = new Uint8Array(0);
      this.#timestamps = this.#columnar!.timestamps;
      return;
    }
    this.#timestamps = this.#timestamps.slice();
    if (this.#frameType === FRAME_NUMERIC_BATCH) this.#values = this.#values.slice();
  }

  /** Drops the frame. */
  clear(): void {
    this.#count = 0;
    this.#index = 0;
    this.#records = [];
    this.#eventTimes = NO_EVENT_TIMES;
  }

  /**
   * The records not yet handed out, as one ring frame (8-byte frame header, payload padded to
   * 8): what a snapshot taken now must keep as in-flight data of this channel.
   */
  remainingFrame(): Uint8Array {
    const count = this.remaining;
    if (count === 0) return new Uint8Array(0);
    // Event times stay with the records; key groups are dropped (the consumer hashes again).
    const eventTimes = this.#eventTimes.length > 0 ? this.#eventTimes.subarray(this.#index, this.#count) : undefined;
    const eventTimeBytes = eventTimes ? eventTimeColumnBytes(count) : 0;
    let payload: Uint8Array;
    if (this.#frameType === FRAME_NUMERIC_BATCH) {
      const arity = this.#arity;
      const floats = new Float64Array(1 + count + count * arity + (eventTimes ? count : 0));
      new Uint32Array(floats.buffer, 0, 2).set([count, (arity | (eventTimes ? EVENT_TIME_FLAG : 0)) >>> 0]);
      floats.set(this.#timestamps.subarray(this.#index, this.#count), 1);
      floats.set(this.#values.subarray(this.#index * arity, this.#count * arity), 1 + count);
      if (eventTimes) floats.set(eventTimes, 1 + count + count * arity);
      payload = new Uint8Array(floats.buffer);
    } else if (this.#frameType === FRAME_COLUMNAR_BATCH) {
      const encoder = new ColumnarBatchEncoder(this.#shape!, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false, eventTimes !== undefined);
      const build = this.#columnar!.build;
      for (let i = this.#index; i < this.#count; i++) encoder.add(build(i), this.#timestamps[i]!, -1, eventTimes ? this.#eventTimes[i]! : NO_TIMESTAMP);
      payload = encoder.encode().bytes.slice();
    } else {
      const packed = this.#packr.pack(this.#records.slice(this.#index, this.#count));
      const packedBytes = eventTimes ? align8(packed.byteLength) : packed.byteLength;
      payload = new Uint8Array(BATCH_HEADER_BYTES + count * 8 + packedBytes + eventTimeBytes);
      const header = new DataView(payload.buffer);
      header.setUint32(0, count, true);
      if (eventTimes) header.setUint32(4, (EVENT_TIME_FLAG | packed.byteLength) >>> 0, true);
      new Float64Array(payload.buffer, BATCH_HEADER_BYTES, count).set(this.#timestamps.subarray(this.#index, this.#count));
      payload.set(packed, BATCH_HEADER_BYTES + count * 8);
      if (eventTimes) new Float64Array(payload.buffer, BATCH_HEADER_BYTES + count * 8 + packedBytes, count).set(eventTimes);
    }
    const frame = new Uint8Array(frameBytes(payload.byteLength));
    const header = new DataView(frame.buffer);
    header.setUint32(0, payload.byteLength, true);
    header.setUint32(4, this.#frameType, true);
    frame.set(payload, FRAME_HEADER_BYTES);
    return frame;
  }
}
