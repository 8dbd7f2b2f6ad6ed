import { Packr, Unpackr } from 'msgpackr';
import { FRAME_HEADER_BYTES, frameBytes } from '../../native-free-buffers/index.js';
import type { RecordShape } from '../api/specs.js';
import { BATCH_HEADER_BYTES, FRAME_NUMERIC_BATCH, FRAME_OBJECT_BATCH } from './frames.js';

/** Largest batch frame payload sluice writes: big enough to amortize, small enough to pipeline. */
export const MAX_BATCH_BYTES = 32 * 1024;

/**
 * Collects the records bound for one channel and encodes them as one batch frame.
 * Records are appended without per-record encoding work where the shape allows it.
 */
export interface BatchEncoder {
  /** Records in the current batch. */
  readonly count: number;
  /** Whether the batch has reached its size limit and must be encoded before the next add. */
  readonly full: boolean;
  add(record: unknown, ingestNanos: number): void;
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

/** Creates the encoder for a record shape; `maxFrameBytes` is the channel's frame limit. */
export function createBatchEncoder(shape: RecordShape, maxFrameBytes: number): BatchEncoder {
  return shape.kind === 'numeric'
    ? new NumericBatchEncoder(shape.arity, Math.min(maxFrameBytes, MAX_BATCH_BYTES))
    : new ObjectBatchEncoder(maxFrameBytes);
}

class NumericBatchEncoder implements BatchEncoder {
  readonly #arity: number;
  readonly #capacity: number;
  readonly #bytes: Uint8Array;
  readonly #words: Uint32Array;
  readonly #floats: Float64Array;
  readonly #timestamps: Float64Array;
  readonly #values: Float64Array;
  #count = 0;

  constructor(arity: number, budget: number) {
    this.#arity = arity;
    this.#capacity = Math.max(1, Math.floor((budget - BATCH_HEADER_BYTES) / (8 * (arity + 1))));
    this.#timestamps = new Float64Array(this.#capacity);
    this.#values = new Float64Array(this.#capacity * arity);
    const buffer = new ArrayBuffer(BATCH_HEADER_BYTES + this.#capacity * 8 * (arity + 1));
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

  add(record: unknown, ingestNanos: number): void {
    const values = record as ArrayLike<number>;
    const arity = this.#arity;
    if (values === null || typeof values !== 'object' || values.length !== arity) {
      throw new TypeError(
        `a numeric(${arity}) record must be an array of ${arity} numbers, got ${describe(record)}`,
      );
    }
    const base = this.#count * arity;
    for (let i = 0; i < arity; i++) this.#values[base + i] = values[i]!;
    this.#timestamps[this.#count++] = ingestNanos;
  }

  encode(): BatchPayload {
    const count = this.#count;
    this.#words[0] = count;
    this.#words[1] = this.#arity;
    this.#floats.set(this.#timestamps.subarray(0, count), 1);
    this.#floats.set(this.#values.subarray(0, count * this.#arity), 1 + count);
    this.#count = 0;
    return { frameType: FRAME_NUMERIC_BATCH, bytes: this.#bytes.subarray(0, BATCH_HEADER_BYTES + count * 8 * (this.#arity + 1)) };
  }
}

/** Records per object batch: msgpackr amortizes its per-call cost over about this many. */
const OBJECT_BATCH_RECORDS = 256;

class ObjectBatchEncoder implements BatchEncoder {
  readonly #packr = new Packr({ useRecords: true });
  readonly #records: unknown[] = [];
  readonly #timestamps = new Float64Array(OBJECT_BATCH_RECORDS);
  readonly #maxFrameBytes: number;
  #scratch = new Uint8Array(MAX_BATCH_BYTES);

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get count(): number {
    return this.#records.length;
  }

  get full(): boolean {
    return this.#records.length === OBJECT_BATCH_RECORDS;
  }

  add(record: unknown, ingestNanos: number): void {
    this.#timestamps[this.#records.length] = ingestNanos;
    this.#records.push(record);
  }

  /**
   * Encodes as many of the batch's records as fit in one frame (all of them, unless records
   * are large); the rest stay for the next call.
   */
  encode(): BatchPayload {
    const total = this.#records.length;
    let count = total;
    let packed = this.#packr.pack(this.#records);
    while (BATCH_HEADER_BYTES + count * 8 + packed.byteLength > this.#maxFrameBytes) {
      if (count === 1) {
        throw new RangeError(
          `a record of ${packed.byteLength} encoded bytes exceeds the channel's frame limit of ${this.#maxFrameBytes} bytes; ` +
            'give the pipeline a larger channelBytes (the frame limit is a quarter of it)',
        );
      }
      count >>= 1;
      packed = this.#packr.pack(this.#records.slice(0, count));
    }
    const size = BATCH_HEADER_BYTES + count * 8 + packed.byteLength;
    if (size > this.#scratch.byteLength) this.#scratch = new Uint8Array(Math.max(size, this.#scratch.byteLength * 2));
    const bytes = this.#scratch;
    const header = new DataView(bytes.buffer, 0, BATCH_HEADER_BYTES);
    header.setUint32(0, count, true);
    header.setUint32(4, 0, true);
    new Float64Array(bytes.buffer, BATCH_HEADER_BYTES, count).set(this.#timestamps.subarray(0, count));
    bytes.set(packed, BATCH_HEADER_BYTES + count * 8);
    if (count === total) {
      this.#records.length = 0;
    } else {
      this.#records.splice(0, count);
      this.#timestamps.copyWithin(0, count, total);
    }
    return { frameType: FRAME_OBJECT_BATCH, bytes: bytes.subarray(0, size) };
  }
}

/** Receives decoded records; `ingestNanos` is the record's ingestion timestamp. */
export type RecordHandler = (record: unknown, ingestNanos: number, index: number) => void;

/**
 * Decodes batch frames read from a ring (zero-copy for numeric batches; object batches are
 * copied once to ordinary memory, which msgpackr's string decoder needs).
 */
export class BatchDecoder {
  readonly #unpackr = new Unpackr({ useRecords: true });
  #scratch = Buffer.allocUnsafe(MAX_BATCH_BYTES);

  /**
   * Calls `handler` for each record of the frame at `bytes[offset, offset + length)` and
   * returns the number of records. `bytes` must be 8-byte aligned in its buffer at `offset`.
   */
  decode(frameType: number, bytes: Uint8Array, offset: number, length: number, handler: RecordHandler): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
    const count = view.getUint32(0, true);
    const timestamps = new Float64Array(bytes.buffer, bytes.byteOffset + offset + BATCH_HEADER_BYTES, count);
    if (frameType === FRAME_NUMERIC_BATCH) {
      const arity = view.getUint32(4, true);
      const values = new Float64Array(bytes.buffer, bytes.byteOffset + offset + BATCH_HEADER_BYTES + count * 8, count * arity);
      for (let i = 0; i < count; i++) handler(numericRecord(values, i * arity, arity), timestamps[i]!, i);
      return count;
    }
    if (frameType === FRAME_OBJECT_BATCH) {
      const packedStart = offset + BATCH_HEADER_BYTES + count * 8;
      const packedLength = length - BATCH_HEADER_BYTES - count * 8;
      if (packedLength > this.#scratch.byteLength) this.#scratch = Buffer.allocUnsafe(packedLength * 2);
      this.#scratch.set(bytes.subarray(packedStart, packedStart + packedLength));
      const records = this.#unpackr.unpack(this.#scratch.subarray(0, packedLength)) as unknown[];
      for (let i = 0; i < count; i++) handler(records[i], timestamps[i]!, i);
      return count;
    }
    throw new RangeError(`unknown frame type ${frameType} in a record channel`);
  }
}

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
    this.#frameType = frameType;
    this.#index = 0;
    this.#timestamps = new Float64Array(bytes.buffer, bytes.byteOffset + offset + BATCH_HEADER_BYTES, count);
    if (frameType === FRAME_NUMERIC_BATCH) {
      this.#arity = view.getUint32(4, true);
      this.#values = new Float64Array(bytes.buffer, bytes.byteOffset + offset + BATCH_HEADER_BYTES + count * 8, count * this.#arity);
    } else if (frameType === FRAME_OBJECT_BATCH) {
      const packedStart = offset + BATCH_HEADER_BYTES + count * 8;
      const packedLength = length - BATCH_HEADER_BYTES - count * 8;
      if (packedLength > this.#scratch.byteLength) this.#scratch = Buffer.allocUnsafe(packedLength * 2);
      this.#scratch.set(bytes.subarray(packedStart, packedStart + packedLength));
      this.#records = this.#unpackr.unpack(this.#scratch.subarray(0, packedLength)) as unknown[];
    } else {
      throw new RangeError(`unknown frame type ${frameType} in a record channel`);
    }
    this.#count = count;
  }

  /** Hands at most `budget` records to `handler`; returns how many it handed. */
  step(handler: RecordHandler, budget: number): number {
    const end = Math.min(this.#count, this.#index + budget);
    const start = this.#index;
    const timestamps = this.#timestamps;
    if (this.#frameType === FRAME_NUMERIC_BATCH) {
      const values = this.#values;
      const arity = this.#arity;
      // Advance before the call: a handler that throws must not see the record again.
      for (let i = start; i < end; i++) {
        this.#index = i + 1;
        handler(numericRecord(values, i * arity, arity), timestamps[i]!, i);
      }
    } else {
      const records = this.#records;
      for (let i = start; i < end; i++) {
        this.#index = i + 1;
        handler(records[i], timestamps[i]!, i);
      }
    }
    return end - start;
  }

  /** Copies the rest of the frame out of ring memory, which the reader may now release. */
  detach(): void {
    if (!this.active) return;
    this.#timestamps = this.#timestamps.slice();
    if (this.#frameType === FRAME_NUMERIC_BATCH) this.#values = this.#values.slice();
  }

  /** Drops the frame. */
  clear(): void {
    this.#count = 0;
    this.#index = 0;
    this.#records = [];
  }

  /**
   * The records not yet handed out, as one ring frame (8-byte frame header, payload padded to
   * 8): what a snapshot taken now must keep as in-flight data of this channel.
   */
  remainingFrame(): Uint8Array {
    const count = this.remaining;
    if (count === 0) return new Uint8Array(0);
    let payload: Uint8Array;
    if (this.#frameType === FRAME_NUMERIC_BATCH) {
      const arity = this.#arity;
      const floats = new Float64Array(1 + count + count * arity);
      new Uint32Array(floats.buffer, 0, 2).set([count, arity]);
      floats.set(this.#timestamps.subarray(this.#index, this.#count), 1);
      floats.set(this.#values.subarray(this.#index * arity, this.#count * arity), 1 + count);
      payload = new Uint8Array(floats.buffer);
    } else {
      const packed = this.#packr.pack(this.#records.slice(this.#index, this.#count));
      payload = new Uint8Array(BATCH_HEADER_BYTES + count * 8 + packed.byteLength);
      new DataView(payload.buffer).setUint32(0, count, true);
      new Float64Array(payload.buffer, BATCH_HEADER_BYTES, count).set(this.#timestamps.subarray(this.#index, this.#count));
      payload.set(packed, BATCH_HEADER_BYTES + count * 8);
    }
    const frame = new Uint8Array(frameBytes(payload.byteLength));
    const header = new DataView(frame.buffer);
    header.setUint32(0, payload.byteLength, true);
    header.setUint32(4, this.#frameType, true);
    frame.set(payload, FRAME_HEADER_BYTES);
    return frame;
  }
}
