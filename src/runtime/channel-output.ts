import { RingWriter } from '../../native-free-buffers/index.js';
import type { RecordShape } from '../api/specs.js';
import type { BatchEncoder } from './record-batch.js';
import { createBatchEncoder } from './record-batch.js';

/**
 * The producer's end of one channel: batches records, writes batch frames into the ring,
 * and keeps the frames that did not fit (the subtask is then backpressured). Those pending
 * frames are the channel's output state when a checkpoint is taken under backpressure.
 */
export class ChannelOutput {
  readonly writer: RingWriter;
  readonly #encoder: BatchEncoder;
  /** Frames produced but not yet in the ring, oldest first: [frameType, payload copy]. */
  readonly #pending: Array<{ frameType: number; bytes: Uint8Array }> = [];
  #recordsOut = 0;

  constructor(ring: SharedArrayBuffer, consumerDoorbell: SharedArrayBuffer, shape: RecordShape) {
    // The subtask loop publishes once per step; the ring's own threshold only caps latency.
    this.writer = new RingWriter(ring, { consumerDoorbell });
    this.#encoder = createBatchEncoder(shape, this.writer.maxFrameBytes);
  }

  /** Whether frames are waiting for room in the ring. */
  get backpressured(): boolean {
    return this.#pending.length > 0;
  }

  /** Records handed to this channel. */
  get recordsOut(): number {
    return this.#recordsOut;
  }

  /** Adds a record to the current batch; writes the batch when it is full. */
  collect(record: unknown, ingestNanos: number): void {
    this.#encoder.add(record, ingestNanos);
    this.#recordsOut++;
    if (this.#encoder.full) this.#writeBatch();
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
      const offset = this.writer.tryReserve(frame.bytes.byteLength);
      if (offset < 0) return false;
      this.writer.bytes.set(frame.bytes, offset);
      this.writer.commit(frame.bytes.byteLength, frame.frameType);
      pending.shift();
    }
    return true;
  }

  /** Ends the stream on this channel (call once nothing is pending). */
  end(): void {
    this.writer.end();
  }

  #writeBatch(): void {
    const encoder = this.#encoder;
    while (encoder.count > 0) {
      const payload = encoder.encode();
      if (this.#pending.length === 0) {
        const offset = this.writer.tryReserve(payload.bytes.byteLength);
        if (offset >= 0) {
          this.writer.bytes.set(payload.bytes, offset);
          this.writer.commit(payload.bytes.byteLength, payload.frameType);
          continue;
        }
      }
      // No room: keep a copy (the encoder reuses its buffer) and stay in order behind it.
      this.#pending.push({ frameType: payload.frameType, bytes: payload.bytes.slice() });
    }
  }
}
