import { RingWriter } from '../../native-free-buffers/index.js';
import type { RecordShape } from '../api/specs.js';
import { ANNOUNCE_ALIGNED, ANNOUNCE_UNALIGNED } from '../checkpoint/checkpoint-mode.js';
import { decodeBarrierFrame, encodeBarrierFrame } from './barrier-frame.js';
import { FRAME_BARRIER, FRAME_WATERMARK, WATERMARK_PAYLOAD_BYTES } from './frames.js';
import { encodeWatermark } from './watermarks.js';
import type { BatchEncoder } from './record-batch.js';
import { createBatchEncoder } from './record-batch.js';

/** A frame waiting for room in the ring. */
export interface PendingFrame {
  readonly frameType: number;
  readonly bytes: Uint8Array;
}

/**
 * The producer's end of one channel: batches records, writes batch frames into the ring,
 * and keeps the frames that did not fit (the subtask is then backpressured). Those pending
 * frames are the channel's output state when a checkpoint is taken under backpressure.
 */
export class ChannelOutput {
  readonly writer: RingWriter;
  readonly #encoder: BatchEncoder;
  /** Frames produced but not yet in the ring, oldest first: [frameType, payload copy]. */
  readonly #pending: PendingFrame[] = [];
  #recordsOut = 0;

  /**
   * `withKeyGroups`: the channel belongs to a hash-partitioned edge, and its batches carry each
   * record's key group. `withEventTime`: its batches carry each record's event time.
   */
  constructor(ring: SharedArrayBuffer, consumerDoorbell: SharedArrayBuffer, shape: RecordShape, withKeyGroups = false, withEventTime = false) {
    // The subtask loop publishes once per step; the ring's own threshold only caps latency.
    this.writer = new RingWriter(ring, { consumerDoorbell });
    this.#encoder = createBatchEncoder(shape, this.writer.maxFrameBytes, withKeyGroups, withEventTime);
  }

  /** Whether frames are waiting for room in the ring. */
  get backpressured(): boolean {
    return this.#pending.length > 0;
  }

  /** Records handed to this channel. */
  get recordsOut(): number {
    return this.#recordsOut;
  }

  /**
   * Adds a record to the current batch (with its key group on hash edges, else -1, and its event
   * time on edges of event-time jobs); writes the batch when it is full.
   */
  collect(record: unknown, ingestNanos: number, keyGroup = -1, eventTime = NaN): void {
    if (!this.#encoder.add(record, ingestNanos, keyGroup, eventTime)) {
      // The record would make the batch's frame too large: send the batch, start a new one.
      this.#writeBatch();
      this.#encoder.add(record, ingestNanos, keyGroup, eventTime);
    }
    this.#recordsOut++;
    // A batch is at most a quarter of what the consumer lets be in flight (buffer debloating):
    // with a slow consumer, batches shrink with the limit, as Flink's debloated buffers do.
    if (this.#encoder.full || this.#encoder.bytes >= this.writer.inFlightLimit >> 2) this.#writeBatch();
  }

  /** Writes the current batch (if any) and publishes; false while backpressured. */
  flush(): boolean {
    if (this.#encoder.count > 0) this.#writeBatch();
    if (this.#pending.length > 0) this.drainPending();
    this.writer.publish();
    return this.#pending.length === 0;
  }

  /** Moves pending frames into the ring while there is room; true when none is left. */
  drainPending(): boolean {
    const pending = this.#pending;
    while (pending.length > 0) {
      const frame = pending[0]!;
      if (!this.#writeFrame(frame.frameType, frame.bytes)) return false;
      pending.shift();
    }
    return true;
  }

  /**
   * Sends a watermark (NaN: this channel is idle) after every record emitted so far: the current
   * batch goes first, and the frame waits behind pending frames as a batch would.
   */
  emitWatermark(watermark: number): void {
    while (this.#encoder.count > 0) this.#writeBatch();
    const payload = new Uint8Array(WATERMARK_PAYLOAD_BYTES);
    encodeWatermark(watermark, payload);
    if (this.#pending.length > 0 || !this.#writeFrame(FRAME_WATERMARK, payload)) this.#pending.push({ frameType: FRAME_WATERMARK, bytes: payload });
  }

  /** Ends the stream on this channel (call once nothing is pending). */
  end(): void {
    this.writer.end();
  }

  #writeBatch(): void {
    const encoder = this.#encoder;
    while (encoder.count > 0) {
      const payload = encoder.encode();
      if (this.#pending.length === 0 && this.#writeFrame(payload.frameType, payload.bytes)) continue;
      // No room: keep a copy (the encoder reuses its buffer) and stay in order behind it.
      this.#pending.push({ frameType: payload.frameType, bytes: payload.bytes.slice() });
    }
  }

  /**
   * Sends checkpoint barrier `checkpointId` after every record emitted so far. Aligned: an
   * in-band barrier frame, announced on the priority lane with its position just before it is
   * published (it may wait behind pending frames). Unaligned: only the announcement, at once,
   * carrying the write position; frames still pending are then this channel's output state,
   * returned (copies) for the snapshot.
   */
  emitBarrier(checkpointId: number, unaligned: boolean): PendingFrame[] {
    const encoder = this.#encoder;
    while (encoder.count > 0) this.#writeBatch();
    if (unaligned) {
      this.drainPending();
      this.#announce(ANNOUNCE_UNALIGNED, checkpointId, this.writer.position);
      return this.#pending.map((frame) => ({ frameType: frame.frameType, bytes: frame.bytes.slice() }));
    }
    const barrier = encodeBarrierFrame(checkpointId);
    if (this.#pending.length > 0 || !this.#writeFrame(FRAME_BARRIER, barrier)) {
      this.#pending.push({ frameType: FRAME_BARRIER, bytes: barrier });
    }
    return [];
  }

  /** Queues frames restored from a checkpoint (this channel's output state) ahead of new ones. */
  restorePending(frames: readonly PendingFrame[]): void {
    this.#pending.unshift(...frames);
  }

  /** Writes one frame into the ring; false when there is no room. Announces barrier frames. */
  #writeFrame(frameType: number, bytes: Uint8Array): boolean {
    const writer = this.writer;
    if (frameType === FRAME_BARRIER) {
      // Announce before the frame can be published: a reader that sees bytes past the
      // barrier's position must already see its announcement.
      const position = writer.position;
      const offset = writer.tryReserve(bytes.byteLength);
      if (offset < 0) return false;
      // A full priority lane holds the barrier back as a full ring does (the consumer rings this
      // subtask's doorbell when it takes an announcement): barriers queued behind backpressure,
      // such as those of checkpoints that timed out meanwhile, are written in a burst.
      const checkpointId = decodeBarrierFrame(bytes);
      if (!writer.tryPostPriority(ANNOUNCE_ALIGNED, checkpointId, position)) return false;
      writer.bytes.set(bytes, offset);
      writer.commit(bytes.byteLength, frameType);
      return true;
    }
    const offset = writer.tryReserve(bytes.byteLength);
    if (offset < 0) return false;
    writer.bytes.set(bytes, offset);
    writer.commit(bytes.byteLength, frameType);
    return true;
  }

  #announce(kind: number, checkpointId: number, position: number): void {
    if (!this.writer.tryPostPriority(kind, checkpointId, position)) {
      throw new Error(
        `the priority lane of a channel is full: its consumer has not taken ${checkpointId > 0 ? 'earlier' : ''} barrier announcements`,
      );
    }
  }
}
