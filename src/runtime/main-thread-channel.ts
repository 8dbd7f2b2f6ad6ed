/**
 * A channel between an object of the main thread (an async iterable, a Writable, the consumer of
 * `job.results()`) and one worker subtask: a SharedArrayBuffer ring of record batches, never a
 * postMessage per record. Each side parks on its own doorbell with `Atomics.waitAsync`; the
 * worker side then wakes its subtask (`ctx.wakeup()`), so neither thread blocks or spins.
 *
 * Frames: record batches as on every channel (msgpackr object batches), plus two of its own: a
 * checkpoint marker (all records before it precede the sink's snapshot of that checkpoint) and
 * the end of one attempt's stream. The end is a frame, not `RingWriter.end()`: after a restart
 * the same ring carries the next attempt's records.
 */
import { Doorbell, DoorbellRinger, RingReader, RingWriter, allocateRing } from '../../native-free-buffers/index.js';
import { OBJECT_RECORDS } from '../api/specs.js';
import type { BatchEncoder } from './batch-encoder.js';
import type { PendingFrame } from './channel-output.js';
import { FRAME_OBJECT_BATCH } from './frames.js';
import { BatchCursor, createBatchEncoder } from './record-batch.js';

/** A checkpoint marker; payload: the checkpoint id (uint32). */
export const FRAME_CHANNEL_MARKER = 16;
/** The end of one attempt's stream on a main-thread channel; no payload. */
export const FRAME_CHANNEL_END = 17;

const MARKER_PAYLOAD_BYTES = 8;
const NO_PAYLOAD = new Uint8Array(0);

/** The shared buffers of one main-thread channel. Structured-cloneable: the buffers are shared, not copied. */
export interface MainThreadChannelBuffers {
  readonly ring: SharedArrayBuffer;
  /** Doorbell the main thread parks on; the worker side rings it when it writes or frees room. */
  readonly mainBell: SharedArrayBuffer;
  /** Doorbell the worker-side connector parks on; the main thread rings it when it writes or frees room. */
  readonly workerBell: SharedArrayBuffer;
}

/** Allocates a channel with a ring of `capacityBytes` (a power of two). */
export function allocateMainThreadChannel(capacityBytes: number): MainThreadChannelBuffers {
  return { ring: allocateRing({ capacity: capacityBytes }), mainBell: Doorbell.allocate(), workerBell: Doorbell.allocate() };
}

/** A frame waiting for room, with what to call once it is published. */
interface QueuedFrame extends PendingFrame {
  readonly published?: () => void;
}

/**
 * The writing end: batches records, writes batch frames, and keeps what did not fit (then it is
 * backpressured). Markers and the end frame stay in order behind the records.
 */
export class MainThreadChannelWriter {
  readonly #writer: RingWriter;
  readonly #encoder: BatchEncoder;
  readonly #pending: QueuedFrame[] = [];
  /** Frames written since the last publish whose callbacks wait for it. */
  readonly #published: Array<() => void> = [];

  /** `peerBell`: the doorbell of the reading side, rung on every publish. */
  constructor(ring: SharedArrayBuffer, peerBell: SharedArrayBuffer) {
    this.#writer = new RingWriter(ring, { consumerDoorbell: peerBell });
    this.#encoder = createBatchEncoder(OBJECT_RECORDS, this.#writer.maxFrameBytes);
  }

  /** Whether frames wait for room in the ring. */
  get backpressured(): boolean {
    return this.#pending.length > 0;
  }

  /** Records in the batch being built. */
  get batched(): number {
    return this.#encoder.count;
  }

  /** Adds a record to the batch; writes the batch once it is full. */
  add(record: unknown, ingestNanos: number): void {
    if (!this.#encoder.add(record, ingestNanos, -1)) {
      this.#writeBatch();
      this.#encoder.add(record, ingestNanos, -1);
    }
    if (this.#encoder.full || this.#encoder.bytes >= this.#writer.capacity >> 3) this.#writeBatch();
  }

  /** Writes the batch and what is pending where there is room, and publishes; true when nothing is left pending. */
  flush(): boolean {
    if (this.#encoder.count > 0) this.#writeBatch();
    this.#drain();
    this.#publish();
    return this.#pending.length === 0;
  }

  /** Queues a marker for checkpoint `checkpointId` after every record added so far; resolves once it is published. */
  mark(checkpointId: number): Promise<void> {
    if (this.#encoder.count > 0) this.#writeBatch();
    const payload = new Uint8Array(MARKER_PAYLOAD_BYTES);
    new DataView(payload.buffer).setUint32(0, checkpointId, true);
    const published = new Promise<void>((resolve) => this.#queue({ frameType: FRAME_CHANNEL_MARKER, bytes: payload, published: resolve }));
    this.flush();
    return published;
  }

  /** Queues the end of this attempt's stream after every record; resolves once it is published. */
  end(): Promise<void> {
    if (this.#encoder.count > 0) this.#writeBatch();
    const published = new Promise<void>((resolve) => this.#queue({ frameType: FRAME_CHANNEL_END, bytes: NO_PAYLOAD, published: resolve }));
    this.flush();
    return published;
  }

  /** Drops the batch and every pending frame (a restarted reader skips what was written; see the source's start marker), and publishes. */
  discard(): void {
    while (this.#encoder.count > 0) this.#encoder.encode();
    this.#pending.length = 0;
    this.#publish();
  }

  #writeBatch(): void {
    const encoder = this.#encoder;
    while (encoder.count > 0) {
      const payload = encoder.encode();
      if (this.#pending.length === 0 && this.#write(payload.frameType, payload.bytes)) continue;
      // No room: keep a copy (the encoder reuses its buffer) and stay in order behind it.
      this.#pending.push({ frameType: payload.frameType, bytes: payload.bytes.slice() });
    }
  }

  #queue(frame: QueuedFrame): void {
    if (this.#pending.length === 0 && this.#write(frame.frameType, frame.bytes)) {
      if (frame.published) this.#published.push(frame.published);
      return;
    }
    this.#pending.push(frame);
  }

  #drain(): void {
    const pending = this.#pending;
    while (pending.length > 0) {
      const frame = pending[0]!;
      if (!this.#write(frame.frameType, frame.bytes)) return;
      pending.shift();
      if (frame.published) this.#published.push(frame.published);
    }
  }

  #write(frameType: number, bytes: Uint8Array): boolean {
    const writer = this.#writer;
    const offset = writer.tryReserve(bytes.byteLength);
    if (offset < 0) return false;
    writer.bytes.set(bytes, offset);
    writer.commit(bytes.byteLength, frameType);
    return true;
  }

  #publish(): void {
    this.#writer.publish();
    if (this.#published.length === 0) return;
    for (const published of this.#published.splice(0)) published();
  }
}

/** What {@link MainThreadChannelReader.next} found. */
export const enum ChannelFrame {
  /** No frame right now. */
  None = 0,
  /** A record batch: take its records from {@link MainThreadChannelReader.cursor}. */
  Records = 1,
  /** A checkpoint marker: its id is {@link MainThreadChannelReader.markerId}. */
  Marker = 2,
  /** The end of one attempt's stream. */
  End = 3,
}

/** The reading end: frame by frame, records through a batch cursor. */
export class MainThreadChannelReader {
  readonly #reader: RingReader;
  /** The records of the last batch frame. Its records are copied out of the ring by {@link next}. */
  readonly cursor = new BatchCursor(OBJECT_RECORDS);
  #markerId = 0;

  /** `peerBell`: the doorbell of the writing side, rung when room is freed. */
  constructor(ring: SharedArrayBuffer, peerBell: SharedArrayBuffer) {
    this.#reader = new RingReader(ring, { producerDoorbell: peerBell });
  }

  /** The id of the last marker read. */
  get markerId(): number {
    return this.#markerId;
  }

  /** Reads the next frame. Frees the ring's room in batches; call {@link release} before parking. */
  next(): ChannelFrame {
    const reader = this.#reader;
    if (!reader.tryRead()) return ChannelFrame.None;
    switch (reader.frameType) {
      case FRAME_OBJECT_BATCH:
        this.cursor.begin(reader.frameType, reader.bytes, reader.frameOffset, reader.frameLength);
        // Records may be taken over several steps: nothing of them may stay in ring memory.
        this.cursor.detach();
        return ChannelFrame.Records;
      case FRAME_CHANNEL_MARKER:
        this.#markerId = new DataView(reader.bytes.buffer, reader.bytes.byteOffset + reader.frameOffset, MARKER_PAYLOAD_BYTES).getUint32(0, true);
        return ChannelFrame.Marker;
      case FRAME_CHANNEL_END:
        return ChannelFrame.End;
      default:
        throw new RangeError(`unknown frame type ${reader.frameType} on a main-thread channel`);
    }
  }

  /** Frees the room of every frame read, and rings the writer. */
  release(): void {
    this.#reader.release();
  }
}

/**
 * Parks on a doorbell without blocking the thread: a worker-side connector calls `ctx.wakeup()`
 * once it is rung, the main thread awaits it. One park at a time, whoever asks (a doorbell has
 * one owner). `sample` before checking for work, so that a ring between the check and the park
 * is not missed.
 */
export class DoorbellWaiter {
  readonly #bell: Doorbell;
  readonly #ringer: DoorbellRinger;
  #parked: Promise<void> | undefined;
  #wakeQueued = false;
  #closed = false;

  constructor(buffer: SharedArrayBuffer) {
    // Spinning would take the CPU from the thread that makes progress: park at once.
    this.#bell = new Doorbell(buffer, { spin: 0 });
    this.#ringer = new DoorbellRinger(buffer);
  }

  /** The event count; pass it to {@link wakeWhenRung} or {@link wait} after checking for work. */
  sample(): number {
    return this.#bell.sample();
  }

  /** Calls `wake` once the doorbell was rung after `sampled` (soon if it already was); once per park. */
  wakeWhenRung(sampled: number, wake: () => void): void {
    if (this.#wakeQueued || this.#closed) return;
    this.#wakeQueued = true;
    void this.#park(sampled).then(() => {
      this.#wakeQueued = false;
      if (!this.#closed) wake();
    });
  }

  /** Resolves once the doorbell was rung after `sampled`, or the waiter was closed. */
  wait(sampled: number): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#park(sampled);
  }

  /** Rings the doorbell (wakes this side from the same thread: a job event, a consumer that took records). */
  ring(): void {
    this.#ringer.ring();
  }

  /** Ends a park in progress; no wake is called after this. */
  close(): void {
    this.#closed = true;
    this.#ringer.ring();
  }

  #park(sampled: number): Promise<void> {
    // A park that began on an older count settles at the next ring (or at once): joining it is safe.
    this.#parked ??= this.#bell.waitAsync(sampled).then(() => {
      this.#parked = undefined;
    });
    return this.#parked;
  }
}
