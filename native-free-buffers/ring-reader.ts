import { DoorbellRinger, NO_RINGER } from './doorbell.js';
import { LayoutError } from './errors.js';
import {
  FRAME_HEADER_BYTES,
  PADDING_FRAME_TYPE,
  PRIORITY_LANE_OFFSET,
  PRIORITY_READ,
  PRIORITY_SLOT_BYTES,
  PRIORITY_SLOT_ID,
  PRIORITY_SLOT_KIND,
  PRIORITY_SLOT_POSITION,
  PRIORITY_WRITE,
  READER_STATE,
  IN_FLIGHT_LIMIT,
  READ_POS,
  STATE_CANCELLED,
  STATE_ENDED,
  WRITER_STATE,
  WRITE_POS,
  frameBytes,
} from './layout.js';
import { positionDiff, readRingGeometry } from './ring.js';

/** Options of {@link RingReader}. */
export interface RingReaderOptions {
  /** The producer's doorbell: rung when space is freed, on cancel, and on priority reads. */
  readonly producerDoorbell?: SharedArrayBuffer;
  /**
   * Consumed bytes after which {@link RingReader.tryRead} releases by itself, so the producer
   * can refill while the reader works. Default: a quarter of the capacity. `Infinity` releases
   * only on {@link RingReader.release}.
   */
  readonly releaseEveryBytes?: number;
}

/**
 * The consumer's handle on a channel ring. Frames are read in place (zero-copy) and released
 * in batches: many frames, one `Atomics.store` of the read position.
 *
 * ```ts
 * while (reader.tryRead()) handle(reader.frameType, reader.bytes, reader.frameOffset, reader.frameLength);
 * reader.release();                            // the producer may now reuse that space
 * ```
 *
 * A frame's bytes stay valid until the next {@link tryRead} or {@link release}.
 */
export class RingReader {
  /** The data region; the current frame's payload is `bytes[frameOffset, frameOffset + frameLength)`. */
  readonly bytes: Uint8Array;
  /** Bytes of the data region. */
  readonly capacity: number;
  readonly #words: Uint32Array;
  readonly #header: Int32Array;
  readonly #mask: number;
  readonly #ringer: Pick<DoorbellRinger, 'ring'>;
  readonly #releaseEveryBytes: number;
  readonly #priorityMask: number;
  readonly #priorityBase: number;
  /** Local read position: the end of the last frame returned by tryRead. */
  #cursor = 0;
  #released = 0;
  /** Last write position loaded from the producer; reloaded only when the reader catches up. */
  #writePosition = 0;
  #limited = false;
  #limit = 0;
  #held = false;
  #hold = 0;
  #priorityRead = 0;
  #frameType = 0;
  #frameOffset = 0;
  #frameLength = 0;
  #priorityKind = 0;
  #priorityId = 0;
  #priorityPosition = 0;

  constructor(buffer: SharedArrayBuffer, options: RingReaderOptions = {}) {
    const geometry = readRingGeometry(buffer);
    this.capacity = geometry.capacity;
    this.#header = geometry.header;
    this.bytes = new Uint8Array(buffer, geometry.headerBytes, geometry.capacity);
    this.#words = new Uint32Array(buffer, geometry.headerBytes, geometry.capacity / 4);
    this.#mask = geometry.capacity - 1;
    this.#priorityMask = geometry.prioritySlots - 1;
    this.#priorityBase = PRIORITY_LANE_OFFSET / 4;
    this.#ringer = options.producerDoorbell ? new DoorbellRinger(options.producerDoorbell) : NO_RINGER;
    const releaseEvery = options.releaseEveryBytes ?? geometry.capacity / 4;
    if (!(releaseEvery > 0)) {
      throw new RangeError(`options.releaseEveryBytes must be positive, got ${String(releaseEvery)}`);
    }
    this.#releaseEveryBytes = releaseEvery;
    // A reader may attach to a ring that already carried frames (after a restart of its thread).
    this.#cursor = Atomics.load(this.#header, READ_POS) >>> 0;
    this.#released = this.#cursor;
    this.#writePosition = this.#cursor;
    this.#priorityRead = Atomics.load(this.#header, PRIORITY_READ) >>> 0;
  }

  /** Type of the frame returned by the last successful {@link tryRead}. */
  get frameType(): number {
    return this.#frameType;
  }

  /** Offset in {@link bytes} of the current frame's payload (8-byte aligned). */
  get frameOffset(): number {
    return this.#frameOffset;
  }

  /** Payload bytes of the current frame. */
  get frameLength(): number {
    return this.#frameLength;
  }

  /** Read position: the end of the last frame returned (uint32, free-running). */
  get position(): number {
    return this.#cursor;
  }

  /** Read position the producer can see. */
  get releasedPosition(): number {
    return this.#released;
  }

  /** Loads the producer's published write position. */
  writePosition(): number {
    this.#writePosition = Atomics.load(this.#header, WRITE_POS) >>> 0;
    return this.#writePosition;
  }

  /** Published bytes not yet read (loads the write position). */
  available(): number {
    return (this.writePosition() - this.#cursor) >>> 0;
  }

  /** Whether the producer ended the stream (frames may still be unread). */
  get producerEnded(): boolean {
    return Atomics.load(this.#header, WRITER_STATE) === STATE_ENDED;
  }

  /** Whether the producer ended the stream and every frame has been read. */
  get finished(): boolean {
    // WRITER_STATE before WRITE_POS: the producer stores them in the opposite order.
    if (Atomics.load(this.#header, WRITER_STATE) !== STATE_ENDED) return false;
    if (this.#cursor !== this.writePosition()) return false;
    return true;
  }

  /**
   * Advances to the next frame; false when no published frame is left (or the read limit is
   * reached). Padding frames are skipped. Releases by itself every `releaseEveryBytes`, which
   * ends the validity of the frames returned before.
   */
  tryRead(): boolean {
    let cursor = this.#cursor;
    if (((cursor - this.#released) >>> 0) >= this.#releaseEveryBytes) this.release();
    for (;;) {
      if (this.#limited && positionDiff(cursor, this.#limit) >= 0) return false;
      if (cursor === this.#writePosition) {
        this.#writePosition = Atomics.load(this.#header, WRITE_POS) >>> 0;
        if (cursor === this.#writePosition) return false;
      }
      const offset = cursor & this.#mask;
      const index = offset >> 2;
      const length = this.#words[index]!;
      const type = this.#words[index + 1]!;
      cursor = (cursor + frameBytes(length)) >>> 0;
      if (positionDiff(this.#writePosition, cursor) < 0 || (type === PADDING_FRAME_TYPE && offset + frameBytes(length) !== this.capacity)) {
        throw new LayoutError(
          `corrupt frame at ring position ${this.#cursor} (offset ${offset}): type ${type}, length ${length}, ` +
            `published data ends at ${this.#writePosition}`,
        );
      }
      if (type === PADDING_FRAME_TYPE) {
        this.#cursor = cursor;
        continue;
      }
      this.#cursor = cursor;
      this.#frameType = type;
      this.#frameOffset = offset + FRAME_HEADER_BYTES;
      this.#frameLength = length;
      return true;
    }
  }

  /** A view of the current frame's payload (allocates a view; hot paths use the offsets). */
  payload(): Uint8Array {
    return this.bytes.subarray(this.#frameOffset, this.#frameOffset + this.#frameLength);
  }

  /**
   * Lets the producer reuse every byte read so far (up to the release hold, if one is set):
   * one store, and a ring of the producer's doorbell.
   */
  release(): void {
    let target = this.#cursor;
    if (this.#held && positionDiff(target, this.#hold) > 0) target = this.#hold;
    if (target === this.#released) return;
    this.#released = target;
    Atomics.store(this.#header, READ_POS, target | 0); // publish: space now free for the producer
    this.#ringer.ring();
  }

  /**
   * Asks the producer to keep at most `bytes` in flight (written and not yet released), or the
   * whole capacity with 0: buffer debloating. The producer takes a new limit at its next
   * publish or when it runs out of room, and always writes into an empty ring, so a limit below
   * a frame's size slows the channel but never stops it. Raising the limit rings the producer.
   */
  setInFlightLimit(bytes: number): void {
    if (!(Number.isInteger(bytes) && bytes >= 0)) throw new RangeError(`in-flight limit must be a non-negative integer of bytes, got ${String(bytes)}`);
    const limit = Math.min(bytes, this.capacity);
    const previous = Atomics.exchange(this.#header, IN_FLIGHT_LIMIT, limit === this.capacity ? 0 : limit) >>> 0;
    if (limit > (previous === 0 ? this.capacity : previous)) this.#ringer.ring();
  }

  /**
   * Bytes in flight now: published by the producer and not yet released by this reader. Loads
   * the write position without keeping it, so it does not change what {@link tryRead} may read.
   */
  get inFlightBytes(): number {
    return ((Atomics.load(this.#header, WRITE_POS) >>> 0) - this.#released) >>> 0;
  }

  /** The in-flight limit this reader set: the capacity unless it debloats. */
  get inFlightLimit(): number {
    const limit = Atomics.load(this.#header, IN_FLIGHT_LIMIT) >>> 0;
    return limit === 0 ? this.capacity : limit;
  }

  /**
   * Stops {@link tryRead} at `position`: no frame starting at or after it is read until
   * {@link clearReadLimit}. Used to stop at an announced barrier position, and — with the
   * write position loaded before {@link pollPriority} — to keep a step from reading data
   * whose announcement it has not taken.
   */
  setReadLimit(position: number): void {
    this.#limited = true;
    this.#limit = position >>> 0;
  }

  /** Removes the read limit. */
  clearReadLimit(): void {
    this.#limited = false;
  }

  /**
   * Keeps {@link release} from freeing bytes at or after `position`, so they can still be
   * copied with {@link copyRange} after they were read.
   */
  holdRelease(position: number): void {
    if (positionDiff(position, this.#released) < 0) {
      throw new RangeError(`cannot hold release at ${position >>> 0}: bytes up to ${this.#released} are already released`);
    }
    this.#held = true;
    this.#hold = position >>> 0;
  }

  /** Ends the hold set by {@link holdRelease}. */
  clearReleaseHold(): void {
    this.#held = false;
  }

  /**
   * Copies the ring's bytes between positions `from` and `to` (frames, padding included) into
   * `target` at `targetOffset`, without consuming them; returns the bytes copied. Both
   * positions must lie between the released read position and the published write position.
   */
  copyRange(from: number, to: number, target: Uint8Array, targetOffset = 0): number {
    from >>>= 0;
    to >>>= 0;
    const length = positionDiff(to, from);
    if (positionDiff(from, this.#released) < 0 || length < 0 || positionDiff(this.writePosition(), to) < 0) {
      throw new RangeError(
        `copyRange(${from}, ${to}) is outside the unreleased bytes [${this.#released}, ${this.#writePosition})`,
      );
    }
    if (target.byteLength - targetOffset < length) {
      throw new RangeError(`copyRange needs ${length} bytes of target, ${target.byteLength - targetOffset} available`);
    }
    const start = from & this.#mask;
    const first = Math.min(length, this.capacity - start);
    target.set(this.bytes.subarray(start, start + first), targetOffset);
    if (first < length) target.set(this.bytes.subarray(0, length - first), targetOffset + first);
    return length;
  }

  /**
   * Takes the next message of the priority lane; false when there is none. Its fields are
   * then in {@link priorityKind}, {@link priorityId} and {@link priorityPosition}. A producer
   * announces before it publishes any byte after the announced position, so: load
   * {@link writePosition}, poll the lane, then read with {@link setReadLimit} at the position
   * loaded — otherwise `tryRead` may load a newer write position and read past an
   * announcement that was not taken.
   */
  pollPriority(): boolean {
    const header = this.#header;
    const read = this.#priorityRead;
    if (read === Atomics.load(header, PRIORITY_WRITE) >>> 0) return false;
    const slot = this.#priorityBase + (read & this.#priorityMask) * (PRIORITY_SLOT_BYTES / 4);
    this.#priorityKind = header[slot + PRIORITY_SLOT_KIND]! >>> 0;
    this.#priorityId = header[slot + PRIORITY_SLOT_ID]! >>> 0;
    this.#priorityPosition = header[slot + PRIORITY_SLOT_POSITION]! >>> 0;
    this.#priorityRead = (read + 1) >>> 0;
    Atomics.store(header, PRIORITY_READ, this.#priorityRead | 0); // publish: slot free again
    this.#ringer.ring();
    return true;
  }

  /** Whether a priority message is waiting (one load; takes nothing). */
  hasPriority(): boolean {
    return this.#priorityRead !== Atomics.load(this.#header, PRIORITY_WRITE) >>> 0;
  }

  /** Kind of the last priority message taken. */
  get priorityKind(): number {
    return this.#priorityKind;
  }

  /** Id (a checkpoint id) of the last priority message taken. */
  get priorityId(): number {
    return this.#priorityId;
  }

  /** Position (the producer's write position) of the last priority message taken. */
  get priorityPosition(): number {
    return this.#priorityPosition;
  }

  /** Tells the producer to stop: its next write throws. Idempotent. */
  cancel(): void {
    Atomics.store(this.#header, READER_STATE, STATE_CANCELLED);
    this.#ringer.ring();
  }
}
