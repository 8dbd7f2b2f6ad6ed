/**
 * A plain model of one ring driven in lockstep with a real RingWriter and RingReader, for the
 * property tests. The model keeps logical positions (bytes since the start of the run, never
 * wrapped) and the list of frames and paddings the writer should have laid down; after every
 * step it checks that the handles agree with it.
 */
import {
  FRAME_HEADER_BYTES,
  PADDING_FRAME_TYPE,
  RingReader,
  RingWriter,
  allocateRing,
  frameBytes,
} from '../../../native-free-buffers/index.js';
import { fillPayload, findPayloadMismatch } from '../../fixtures/buffers/stream-pattern.js';
import { startRingAt } from './ring-start.js';

/** Throws when the handle disagrees with the model (cheaper than expect() on every step). */
function same(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: got ${String(actual)}, the model expects ${String(expected)}`);
}

/** Geometry and batching of one modelled ring. */
export interface ModelRingOptions {
  readonly capacity: number;
  readonly maxFrameBytes: number;
  readonly publishEveryBytes: number;
  readonly releaseEveryBytes: number;
  /** Position (8-aligned uint32) both handles start at. */
  readonly startPosition: number;
  /** Seed of the payload pattern. */
  readonly seed: number;
}

/** One frame or padding laid down by the writer, in logical positions. */
export interface ModelEntry {
  readonly start: number;
  readonly end: number;
  readonly padding: boolean;
  /** Payload bytes (for a padding: its header's length field). */
  readonly length: number;
  readonly type: number;
  /** Sequence number of the frame (its payload pattern); -1 for a padding. */
  readonly seq: number;
}

/** A frame write: `size` bytes of type `type`, via tryWrite or reserved `extra` bytes larger. */
export interface WriteStep {
  readonly size: number;
  readonly type: number;
  readonly viaTryWrite: boolean;
  readonly extra: number;
}

export class RingModel {
  readonly ring: SharedArrayBuffer;
  readonly writer: RingWriter;
  readonly reader: RingReader;
  readonly options: ModelRingOptions;
  /** Every entry laid down, oldest first (entries before `released` stay, for copy checks). */
  readonly entries: ModelEntry[] = [];
  readonly #entriesByStart = new Map<number, ModelEntry>();
  written = 0;
  published = 0;
  read = 0;
  released = 0;
  framesWritten = 0;
  framesRead = 0;
  /** Paddings laid down and frames refused for want of room: what a run exercised. */
  paddings = 0;
  refusals = 0;
  readonly #scratch: Uint8Array;

  constructor(options: ModelRingOptions) {
    this.options = options;
    this.ring = allocateRing({ capacity: options.capacity, maxFrameBytes: options.maxFrameBytes });
    startRingAt(this.ring, options.startPosition);
    this.writer = new RingWriter(this.ring, { publishEveryBytes: options.publishEveryBytes });
    this.reader = new RingReader(this.ring, { releaseEveryBytes: options.releaseEveryBytes });
    this.#scratch = new Uint8Array(options.maxFrameBytes);
  }

  /** The real (uint32) position of logical position `logical`. */
  actual(logical: number): number {
    return (this.options.startPosition + logical) >>> 0;
  }

  /** Writes one frame on both sides; returns whether it was written. */
  write(step: WriteStep): boolean {
    const { capacity } = this.options;
    const size = step.size;
    const reserve = step.viaTryWrite ? size : Math.min(size + step.extra, this.options.maxFrameBytes);
    const seq = this.framesWritten;

    // The model's decision, from the rules in README.md: pad a tail the frame does not fit in, if
    // the tail is free; then write the frame if the ring has room for it.
    let expectWritten = false;
    const tail = capacity - (this.actual(this.written) & (capacity - 1));
    let padded = false;
    if (frameBytes(reserve) > tail) {
      if (capacity - (this.written - this.released) >= tail) {
        this.#add({ start: this.written, end: this.written + tail, padding: true, length: tail - FRAME_HEADER_BYTES, type: PADDING_FRAME_TYPE, seq: -1 });
        this.written += tail;
        this.paddings++;
        padded = true;
      }
    }
    if ((padded || frameBytes(reserve) <= tail) && capacity - (this.written - this.released) >= frameBytes(reserve)) {
      expectWritten = true;
    }

    let wrote: boolean;
    if (step.viaTryWrite) {
      fillPayload(this.#scratch, 0, size, this.options.seed, seq);
      wrote = this.writer.tryWrite(this.#scratch.subarray(0, size), step.type);
    } else {
      const offset = this.writer.tryReserve(reserve);
      wrote = offset >= 0;
      if (wrote) {
        same(offset % 8, 0, 'tryReserve offset % 8');
        same(offset - FRAME_HEADER_BYTES, this.actual(this.written) & (capacity - 1), `frame ${seq}: header offset`);
        fillPayload(this.writer.bytes, offset, size, this.options.seed, seq);
        this.writer.commit(size, step.type);
      }
    }
    same(wrote, expectWritten, `frame ${seq} of ${size} bytes (reserved ${reserve}) written`);
    if (wrote) {
      this.#add({ start: this.written, end: this.written + frameBytes(size), padding: false, length: size, type: step.type, seq });
      this.written += frameBytes(size);
      this.framesWritten++;
      if (this.written - this.published >= this.options.publishEveryBytes) this.published = this.written;
    } else {
      // A full ring publishes what is pending, so the reader can make room.
      this.published = this.written;
      this.refusals++;
    }
    this.check();
    return wrote;
  }

  publish(): void {
    this.writer.publish();
    this.published = this.written;
    this.check();
  }

  /** Reads up to `frames` frames on both sides, checking each; returns how many were read. */
  readFrames(frames: number): number {
    let count = 0;
    while (count < frames) {
      const expected = this.#nextExpectedFrame();
      const got = this.reader.tryRead();
      same(got, expected !== undefined, `tryRead after ${this.framesRead} frames`);
      this.check();
      if (expected === undefined) break;
      this.#expectCurrentFrame(expected);
      count++;
    }
    return count;
  }

  release(): void {
    this.reader.release();
    this.released = this.read;
    this.check();
  }

  /** Publishes and reads everything left; checks that every frame written was read. */
  drain(): void {
    this.publish();
    while (this.readFrames(64) > 0) {
      // keep reading
    }
    this.release();
    same(this.framesRead, this.framesWritten, 'frames read after draining');
    same(this.read, this.written, 'read position after draining');
  }

  /** The entry that starts at logical position `position`. */
  entryAt(position: number): ModelEntry {
    const entry = this.#entriesByStart.get(position);
    if (entry === undefined) throw new Error(`no entry starts at logical position ${position}`);
    return entry;
  }

  /**
   * The bytes the ring must hold at logical positions `[from, to)`; undefined where the writer
   * left whatever was there (the padding after a payload, the body of a padding frame).
   */
  expectedBytes(from: number, to: number): (number | undefined)[] {
    const bytes: (number | undefined)[] = [];
    // Entries are in position order: find the last one starting at or before `from`.
    let low = 0;
    let high = this.entries.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.entries[middle]!.start <= from) low = middle;
      else high = middle - 1;
    }
    for (let i = low; bytes.length < to - from; i++) {
      const entry = this.entries[i];
      if (entry === undefined) throw new Error(`no entry holds logical position ${from + bytes.length}`);
      const image = new Array<number | undefined>(entry.end - entry.start).fill(undefined);
      for (let b = 0; b < 4; b++) {
        image[b] = (entry.length >>> (8 * b)) & 0xff;
        image[4 + b] = (entry.type >>> (8 * b)) & 0xff;
      }
      if (!entry.padding) {
        const payload = new Uint8Array(entry.length);
        fillPayload(payload, 0, entry.length, this.options.seed, entry.seq);
        payload.forEach((byte, b) => (image[FRAME_HEADER_BYTES + b] = byte));
      }
      const first = Math.max(from, entry.start);
      const last = Math.min(to, entry.end);
      for (let p = first; p < last; p++) bytes.push(image[p - entry.start]);
    }
    return bytes;
  }

  /** Compares both handles' positions with the model's. */
  check(): void {
    same(this.writer.position, this.actual(this.written), 'writer.position');
    same(this.writer.publishedPosition, this.actual(this.published), 'writer.publishedPosition');
    same(this.writer.pendingBytes, this.written - this.published, 'writer.pendingBytes');
    same(this.reader.position, this.actual(this.read), 'reader.position');
    same(this.reader.releasedPosition, this.actual(this.released), 'reader.releasedPosition');
  }

  #add(entry: ModelEntry): void {
    this.entries.push(entry);
    this.#entriesByStart.set(entry.start, entry);
  }

  /** Mirrors one tryRead: auto-release first, then skip paddings; the next frame, or undefined. */
  #nextExpectedFrame(): ModelEntry | undefined {
    if (this.read - this.released >= this.options.releaseEveryBytes) this.released = this.read;
    for (;;) {
      if (this.read === this.published) return undefined;
      const entry = this.entryAt(this.read);
      this.read = entry.end;
      if (!entry.padding) return entry;
    }
  }

  #expectCurrentFrame(entry: ModelEntry): void {
    const { reader } = this;
    same(entry.seq, this.framesRead, 'sequence number of the frame read');
    same(reader.frameLength, entry.length, `frame ${entry.seq}: length`);
    same(reader.frameType, entry.type, `frame ${entry.seq}: type`);
    same(reader.frameOffset % 8, 0, `frame ${entry.seq}: payload offset % 8`);
    same(reader.frameOffset - FRAME_HEADER_BYTES, this.actual(entry.start) & (this.options.capacity - 1), `frame ${entry.seq}: header offset`);
    same(findPayloadMismatch(reader.bytes, reader.frameOffset, reader.frameLength, this.options.seed, entry.seq), -1, `frame ${entry.seq}: first corrupt payload byte`);
    this.framesRead++;
  }
}
