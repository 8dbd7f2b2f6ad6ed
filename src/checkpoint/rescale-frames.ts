/**
 * Reading and writing the record batch frames of persisted in-flight data, for re-routing it
 * on a restore at another parallelism (rescale.ts). The only place rescaling touches the batch
 * codec: its calls are typed loosely here so that they hold while the codec changes (an
 * encoder's `add` may take a key group and report a full frame; a cursor may want the shape).
 */
import { FRAME_HEADER_BYTES, frameBytes } from '../../native-free-buffers/index.js';
import type { RecordShape } from '../api/specs.js';
import { BatchCursor, MAX_BATCH_BYTES, createBatchEncoder } from '../runtime/record-batch.js';

/** What rescaling needs of a batch encoder. */
interface FrameEncoder {
  readonly count: number;
  readonly full: boolean;
  /** False (where the codec says so) when the record does not fit: encode, then add again. */
  add(record: unknown, ingestNanos: number, keyGroup: number, eventTime?: number): boolean | void;
  encode(): { readonly frameType: number; readonly bytes: Uint8Array };
}

/** What rescaling needs of a batch cursor. */
interface FrameCursor {
  readonly active: boolean;
  begin(frameType: number, bytes: Uint8Array, offset: number, length: number): void;
  step(handler: (record: unknown, ingestNanos: number, keyGroup: number, eventTime: number) => void, budget: number): number;
}

const newEncoder = createBatchEncoder as unknown as (shape: RecordShape, maxFrameBytes: number, withKeyGroups: boolean, withEventTime: boolean) => FrameEncoder;
const Cursor = BatchCursor as unknown as new (shape?: RecordShape) => FrameCursor;

/** Calls `handler` for each record of the batch frame at `bytes[offset, offset + length)` (8-byte aligned). */
export function forEachRecord(
  shape: RecordShape,
  frameType: number,
  bytes: Uint8Array,
  offset: number,
  length: number,
  handler: (record: unknown, ingestNanos: number, keyGroup: number, eventTime: number) => void,
): void {
  const cursor = new Cursor(shape);
  cursor.begin(frameType, bytes, offset, length);
  while (cursor.active) cursor.step(handler, Number.MAX_SAFE_INTEGER);
}

/** Builds frames of one consumer's re-routed channel state, laid out as a ring holds them. */
export class FrameWriter {
  readonly #encoder: FrameEncoder;
  readonly #chunks: Uint8Array[] = [];

  /**
   * `withKeyGroups`: the edge is a keyed one, whose frames carry each record's key group where the
   * codec supports it. `withEventTime`: the job uses event time, and frames carry each record's.
   */
  constructor(shape: RecordShape, withKeyGroups: boolean, withEventTime = false) {
    this.#encoder = newEncoder(shape, MAX_BATCH_BYTES, withKeyGroups, withEventTime);
  }

  /** Appends a record to the current batch. */
  addRecord(record: unknown, ingestNanos: number, keyGroup: number, eventTime = NaN): void {
    if (this.#encoder.full) this.flushRecords();
    if (this.#encoder.add(record, ingestNanos, keyGroup, eventTime) === false) {
      this.flushRecords();
      this.#encoder.add(record, ingestNanos, keyGroup, eventTime);
    }
  }

  /** Ends the current batch: its records become frames. */
  flushRecords(): void {
    while (this.#encoder.count > 0) {
      const payload = this.#encoder.encode();
      this.addFrame(payload.frameType, payload.bytes);
    }
  }

  /** Appends a frame as it is. */
  addFrame(frameType: number, payload: Uint8Array): void {
    const frame = new Uint8Array(frameBytes(payload.byteLength));
    const header = new DataView(frame.buffer);
    header.setUint32(0, payload.byteLength, true);
    header.setUint32(4, frameType, true);
    frame.set(payload, FRAME_HEADER_BYTES);
    this.#chunks.push(frame);
  }

  /** Every frame written, in order, in one buffer. */
  bytes(): Uint8Array {
    this.flushRecords();
    const out = new Uint8Array(this.#chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }
}
