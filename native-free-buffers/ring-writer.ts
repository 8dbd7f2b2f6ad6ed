import { DoorbellRinger, NO_RINGER } from './doorbell.js';
import { FrameTooLargeError, RingCancelledError, RingEndedError } from './errors.js';
import {
  FRAME_HEADER_BYTES,
  MAX_FRAME_TYPE,
  PADDING_FRAME_TYPE,
  PRIORITY_LANE_OFFSET,
  PRIORITY_READ,
  PRIORITY_SLOT_BYTES,
  PRIORITY_SLOT_ID,
  PRIORITY_SLOT_KIND,
  PRIORITY_SLOT_POSITION,
  PRIORITY_WRITE,
  IN_FLIGHT_LIMIT,
  READER_STATE,
  READ_POS,
  STATE_CANCELLED,
  STATE_ENDED,
  WRITER_STATE,
  WRITE_POS,
  frameBytes,
} from './layout.js';
import { readRingGeometry } from './ring.js';

/** Options of {@link RingWriter}. */
export interface RingWriterOptions {
  /** The consumer's doorbell: rung on every publish, priority message and end of stream. */
  readonly consumerDoorbell?: SharedArrayBuffer;
  /**
   * Pending bytes after which a commit publishes by itself. Publishing only when the ring is
   * full makes the two threads take turns instead of overlapping. Default: a quarter of the
   * capacity. `Infinity` publishes only on {@link RingWriter.publish}.
   */
  readonly publishEveryBytes?: number;
}

/**
 * The producer's handle on a channel ring. Frames are reserved and filled in place, then
 * published in batches: many frames, one `Atomics.store` of the write position.
 *
 * ```ts
 * const offset = writer.tryReserve(64);        // -1 when the ring is full
 * if (offset >= 0) { writer.bytes.set(payload, offset); writer.commit(64, RECORD); }
 * writer.publish();                              // frames now visible to the reader
 * ```
 */
export class RingWriter {
  /** The data region; payloads are written here at the offsets {@link tryReserve} returns. */
  readonly bytes: Uint8Array;
  /** Bytes of the data region. */
  readonly capacity: number;
  /** Largest payload one frame may carry. */
  readonly maxFrameBytes: number;
  /** Word view of the data region (frame headers are 8-byte aligned). */
  readonly #words: Uint32Array;
  readonly #header: Int32Array;
  readonly #mask: number;
  readonly #ringer: Pick<DoorbellRinger, 'ring'>;
  readonly #publishEveryBytes: number;
  readonly #priorityMask: number;
  readonly #priorityBase: number;
  /** Local write position: the end of the last committed frame (published or not). */
  #position = 0;
  #published = 0;
  /** Last read position loaded from the consumer; reloaded only when the ring looks full. */
  #readPosition = 0;
  /** The consumer's in-flight limit as last loaded (the capacity when it set none). */
  #limit: number;
  /** Position of the frame reserved and not yet committed, or -1. */
  #reservedAt = -1;
  #reservedMax = 0;
  #priorityWritten = 0;
  #ended = false;

  constructor(buffer: SharedArrayBuffer, options: RingWriterOptions = {}) {
    const geometry = readRingGeometry(buffer);
    this.capacity = geometry.capacity;
    this.maxFrameBytes = geometry.maxFrameBytes;
    this.#header = geometry.header;
    this.bytes = new Uint8Array(buffer, geometry.headerBytes, geometry.capacity);
    this.#words = new Uint32Array(buffer, geometry.headerBytes, geometry.capacity / 4);
    this.#mask = geometry.capacity - 1;
    this.#priorityMask = geometry.prioritySlots - 1;
    this.#priorityBase = PRIORITY_LANE_OFFSET / 4;
    this.#ringer = options.consumerDoorbell ? new DoorbellRinger(options.consumerDoorbell) : NO_RINGER;
    const publishEvery = options.publishEveryBytes ?? geometry.capacity / 4;
    if (!(publishEvery > 0)) {
      throw new RangeError(`options.publishEveryBytes must be positive, got ${String(publishEvery)}`);
    }
    this.#publishEveryBytes = publishEvery;
    // A writer may attach to a ring that already carried frames (after a restart of its thread).
    this.#position = Atomics.load(this.#header, WRITE_POS) >>> 0;
    this.#published = this.#position;
    this.#readPosition = Atomics.load(this.#header, READ_POS) >>> 0;
    this.#limit = this.#loadLimit();
    this.#priorityWritten = Atomics.load(this.#header, PRIORITY_WRITE) >>> 0;
  }

  /** Write position including committed but unpublished frames (uint32, free-running). */
  get position(): number {
    return this.#position;
  }

  /** Write position the reader can see. */
  get publishedPosition(): number {
    return this.#published;
  }

  /** Most bytes in flight the consumer asked for (as last seen by this writer): the capacity unless it debloats. */
  get inFlightLimit(): number {
    return this.#limit;
  }

  /** Committed bytes not yet published. */
  get pendingBytes(): number {
    return (this.#position - this.#published) >>> 0;
  }

  /** Whether the consumer cancelled the channel. */
  get cancelled(): boolean {
    return Atomics.load(this.#header, READER_STATE) === STATE_CANCELLED;
  }

  /** Whether {@link end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Reserves room for a frame of up to `maxPayloadBytes` and returns the offset in
   * {@link bytes} where its payload goes (8-byte aligned), or -1 when the ring has no room
   * yet (after publishing what is pending, so the reader can make room). Finish the frame with {@link commit}. Throws when the frame can never fit, when the
   * stream was ended, or when the consumer cancelled the channel.
   */
  tryReserve(maxPayloadBytes: number): number {
    if (this.#ended) throw new RingEndedError();
    if (!((maxPayloadBytes | 0) === maxPayloadBytes && maxPayloadBytes >= 0 && maxPayloadBytes <= this.maxFrameBytes)) {
      if (maxPayloadBytes > this.maxFrameBytes) throw new FrameTooLargeError(maxPayloadBytes, this.maxFrameBytes);
      throw new RangeError(`payload size must be a non-negative integer, got ${String(maxPayloadBytes)}`);
    }
    const total = frameBytes(maxPayloadBytes);
    let position = this.#position;
    let offset = position & this.#mask;
    const tail = this.capacity - offset;
    if (total > tail) {
      // The frame does not fit before the end of the data region: pad the tail so that every
      // frame is contiguous (zero-copy views) and stays 8-byte aligned.
      if (!this.#hasRoom(tail)) return this.#full();
      const index = offset >> 2;
      this.#words[index] = tail - FRAME_HEADER_BYTES;
      this.#words[index + 1] = PADDING_FRAME_TYPE;
      position = (position + tail) >>> 0;
      this.#position = position;
      offset = 0;
    }
    if (!this.#hasRoom(total)) return this.#full();
    this.#reservedAt = position;
    this.#reservedMax = maxPayloadBytes;
    return offset + FRAME_HEADER_BYTES;
  }

  /**
   * Completes the frame reserved by {@link tryReserve}: `payloadBytes` (at most the size
   * reserved) of type `type` (0 to 0x7fffffff). Publishes by itself once enough is pending.
   */
  commit(payloadBytes: number, type: number): void {
    const at = this.#reservedAt;
    if (at < 0) throw new Error('commit() without a frame reserved by tryReserve()');
    if (!(payloadBytes >= 0 && payloadBytes <= this.#reservedMax)) {
      throw new RangeError(`commit of ${String(payloadBytes)} bytes, but ${this.#reservedMax} were reserved`);
    }
    if (!(Number.isInteger(type) && type >= 0 && type <= MAX_FRAME_TYPE)) {
      throw new RangeError(`frame type must be an integer from 0 to ${MAX_FRAME_TYPE}, got ${String(type)}`);
    }
    const index = (at & this.#mask) >> 2;
    this.#words[index] = payloadBytes;
    this.#words[index + 1] = type;
    this.#reservedAt = -1;
    const position = (at + frameBytes(payloadBytes)) >>> 0;
    this.#position = position;
    if (((position - this.#published) >>> 0) >= this.#publishEveryBytes) this.publish();
  }

  /** Copies `payload` into a new frame of type `type`; false when the ring has no room yet. */
  tryWrite(payload: Uint8Array, type = 0): boolean {
    const offset = this.tryReserve(payload.byteLength);
    if (offset < 0) return false;
    this.bytes.set(payload, offset);
    this.commit(payload.byteLength, type);
    return true;
  }

  /** Makes every committed frame visible to the reader with one store, and rings its doorbell. */
  publish(): void {
    // Once per batch, not per frame: a consumer's new in-flight limit takes effect at the next batch.
    this.#limit = this.#loadLimit();
    const position = this.#position;
    if (position === this.#published) return;
    this.#published = position;
    Atomics.store(this.#header, WRITE_POS, position | 0); // publish: frames now visible
    this.#ringer.ring();
  }

  /**
   * Posts a small out-of-band message `{kind, id, position}` (a barrier announcement) on the
   * priority lane, where the reader sees it before queued data. Visible at once. Returns
   * false when the lane is full.
   */
  tryPostPriority(kind: number, id: number, position: number): boolean {
    if (this.#ended) throw new RingEndedError();
    const header = this.#header;
    const written = this.#priorityWritten;
    const slots = this.#priorityMask + 1;
    if (((written - Atomics.load(header, PRIORITY_READ)) >>> 0) >= slots) return false;
    const slot = this.#priorityBase + (written & this.#priorityMask) * (PRIORITY_SLOT_BYTES / 4);
    header[slot + PRIORITY_SLOT_KIND] = kind;
    header[slot + PRIORITY_SLOT_ID] = id;
    header[slot + PRIORITY_SLOT_POSITION] = position;
    this.#priorityWritten = (written + 1) >>> 0;
    Atomics.store(header, PRIORITY_WRITE, this.#priorityWritten | 0); // publish: slot now visible
    this.#ringer.ring();
    return true;
  }

  /**
   * Ends the stream: publishes what is pending, then marks that no frame follows. The reader
   * sees the end after it has read every frame. Idempotent.
   */
  end(): void {
    if (this.#ended) return;
    this.publish();
    this.#ended = true;
    // WRITE_POS was stored before WRITER_STATE: a reader that sees ENDED sees the final position.
    Atomics.store(this.#header, WRITER_STATE, STATE_ENDED);
    this.#ringer.ring();
  }

  /** The ring is full: publish what is pending so the reader can drain it while we wait. */
  #full(): -1 {
    this.publish();
    return -1;
  }

  /**
   * Whether `bytes` more fit: within the consumer's in-flight limit, or into an empty ring
   * whatever the limit (so a limit below a frame's size slows the channel but never stops it).
   */
  #hasRoom(bytes: number): boolean {
    const used = (this.#position - this.#readPosition) >>> 0;
    if (this.#limit - used >= bytes || used === 0) return true;
    const header = this.#header;
    if (Atomics.load(header, READER_STATE) === STATE_CANCELLED) throw new RingCancelledError();
    this.#readPosition = Atomics.load(header, READ_POS) >>> 0;
    this.#limit = this.#loadLimit();
    const now = (this.#position - this.#readPosition) >>> 0;
    return this.#limit - now >= bytes || now === 0;
  }

  #loadLimit(): number {
    const limit = Atomics.load(this.#header, IN_FLIGHT_LIMIT) >>> 0;
    return limit === 0 || limit > this.capacity ? this.capacity : limit;
  }
}
