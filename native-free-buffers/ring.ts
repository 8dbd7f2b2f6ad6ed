import { LayoutError } from './errors.js';
import {
  CAPACITY,
  FRAME_HEADER_BYTES,
  LAYOUT_MAGIC,
  MAX_PAYLOAD,
  PRIORITY_SLOTS,
  RING_MAGIC,
  ringHeaderBytes,
} from './layout.js';

/** Options of {@link allocateRing}. */
export interface RingOptions {
  /** Bytes of the data region: a power of two from 64 bytes to 1 GiB. */
  readonly capacity: number;
  /**
   * Largest frame payload the ring accepts, in bytes. Default: a quarter of the capacity
   * less the frame header. At most half the capacity less the header, so a frame never waits
   * for more than half the ring to drain.
   */
  readonly maxFrameBytes?: number;
  /** Slots of the priority lane, a power of two from 1 to 1024. Default 8. */
  readonly prioritySlots?: number;
}

const MIN_CAPACITY = 64;
const MAX_CAPACITY = 1 << 30;

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Allocates the SharedArrayBuffer of one SPSC channel: header, priority lane and data
 * region. Allocate rings once and reuse them: a fresh SharedArrayBuffer costs ~2.5 ms per MiB.
 */
export function allocateRing(options: RingOptions): SharedArrayBuffer {
  const { capacity } = options;
  if (!isPowerOfTwo(capacity)) {
    throw new RangeError(`capacity must be a power of two, got ${String(capacity)}`);
  }
  if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
    throw new RangeError(`capacity must be between ${MIN_CAPACITY} and ${MAX_CAPACITY} bytes, got ${capacity}`);
  }
  const prioritySlots = options.prioritySlots ?? 8;
  if (!isPowerOfTwo(prioritySlots) || prioritySlots > 1024) {
    throw new RangeError(`prioritySlots must be a power of two from 1 to 1024, got ${String(prioritySlots)}`);
  }
  const largest = capacity / 2 - FRAME_HEADER_BYTES;
  const maxFrameBytes = options.maxFrameBytes ?? capacity / 4 - FRAME_HEADER_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || maxFrameBytes > largest) {
    throw new RangeError(
      `maxFrameBytes must be an integer from 0 to ${largest} (half of capacity ${capacity} less the ` +
        `${FRAME_HEADER_BYTES}-byte frame header), got ${String(maxFrameBytes)}`,
    );
  }
  const headerBytes = ringHeaderBytes(prioritySlots);
  const buffer = new SharedArrayBuffer(headerBytes + capacity);
  const header = new Int32Array(buffer, 0, headerBytes / 4);
  header[CAPACITY] = capacity;
  header[PRIORITY_SLOTS] = prioritySlots;
  header[MAX_PAYLOAD] = maxFrameBytes;
  // Published last: a handle that sees the magic sees the fields above.
  Atomics.store(header, LAYOUT_MAGIC, RING_MAGIC);
  return buffer;
}

/** The fixed geometry of a ring, read from its header. */
export interface RingGeometry {
  readonly header: Int32Array;
  readonly capacity: number;
  readonly prioritySlots: number;
  readonly maxFrameBytes: number;
  readonly headerBytes: number;
}

/** Reads and checks the header of a ring buffer made by {@link allocateRing}. */
export function readRingGeometry(buffer: SharedArrayBuffer): RingGeometry {
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('a ring handle needs the SharedArrayBuffer returned by allocateRing()');
  }
  if (buffer.byteLength < ringHeaderBytes(1) + MIN_CAPACITY) {
    throw new LayoutError(`a ring buffer has at least ${ringHeaderBytes(1) + MIN_CAPACITY} bytes, got ${buffer.byteLength}`);
  }
  const probe = new Int32Array(buffer, 0, ringHeaderBytes(1) / 4);
  if (Atomics.load(probe, LAYOUT_MAGIC) !== RING_MAGIC) {
    throw new LayoutError('this SharedArrayBuffer was not made by allocateRing()');
  }
  const capacity = probe[CAPACITY]!;
  const prioritySlots = probe[PRIORITY_SLOTS]!;
  const headerBytes = ringHeaderBytes(prioritySlots);
  if (buffer.byteLength !== headerBytes + capacity) {
    throw new LayoutError(`ring buffer of ${buffer.byteLength} bytes does not match its header (capacity ${capacity})`);
  }
  return {
    header: new Int32Array(buffer, 0, headerBytes / 4),
    capacity,
    prioritySlots,
    maxFrameBytes: probe[MAX_PAYLOAD]!,
    headerBytes,
  };
}

/** Signed distance `a - b` between two free-running uint32 positions. */
export function positionDiff(a: number, b: number): number {
  return (a - b) | 0;
}
