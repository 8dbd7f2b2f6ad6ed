/**
 * Memory layout of a channel ring and of a doorbell. Every slot of a shared header has a
 * name; indices are into an `Int32Array` over the start of the SharedArrayBuffer.
 * README.md in this folder draws the same layout as a table.
 */

/** Bytes in a cache line: words written by different threads live on different lines. */
export const CACHE_LINE_BYTES = 64;
const LINE = CACHE_LINE_BYTES / 4; // Int32 slots per line

// ---- Ring header -------------------------------------------------------------------------

/** Producer's published write position (free-running byte counter, uint32). Writer: producer. */
export const WRITE_POS = 0;
/** Producer's state: OPEN or ENDED (no frame follows WRITE_POS). Writer: producer. */
export const WRITER_STATE = 1;
/** Consumer's released read position (free-running byte counter, uint32). Writer: consumer. */
export const READ_POS = 1 * LINE; // own 64-byte line
/** Consumer's state: OPEN or CANCELLED (the producer must stop writing). Writer: consumer. */
export const READER_STATE = 1 * LINE + 1;
/**
 * Most bytes the consumer wants in flight (written, not yet released), or 0 for the whole
 * capacity: buffer debloating. The producer respects it, but always writes into an empty ring.
 * Writer: consumer.
 */
export const IN_FLIGHT_LIMIT = 1 * LINE + 2;
/** Producer's published priority-lane write count. Writer: producer. */
export const PRIORITY_WRITE = 2 * LINE; // own 64-byte line
/** Consumer's released priority-lane read count. Writer: consumer. */
export const PRIORITY_READ = 3 * LINE; // own 64-byte line
/** Data-region capacity in bytes, a power of two. Written once, at creation. */
export const CAPACITY = 4 * LINE;
/** Number of priority-lane slots, a power of two. Written once, at creation. */
export const PRIORITY_SLOTS = 4 * LINE + 1;
/** Layout version, so a handle never misreads a buffer from another layout. Written once. */
export const LAYOUT_MAGIC = 4 * LINE + 2;
/** Largest frame payload in bytes this ring accepts. Written once, at creation. */
export const MAX_PAYLOAD = 4 * LINE + 3;
/** Byte offset of the first priority-lane slot. */
export const PRIORITY_LANE_OFFSET = 5 * CACHE_LINE_BYTES;

/** Value of {@link LAYOUT_MAGIC} for this layout ("SLR1"). */
export const RING_MAGIC = 0x534c5231;

export const STATE_OPEN = 0;
/** {@link WRITER_STATE}: the producer has ended the stream. */
export const STATE_ENDED = 1;
/** {@link READER_STATE}: the consumer has cancelled the channel. */
export const STATE_CANCELLED = 2;

/** Bytes of one priority-lane slot: kind, id, position, spare (four uint32). */
export const PRIORITY_SLOT_BYTES = 16;
/** Priority slot field offsets, in Int32 slots from the start of a slot. */
export const PRIORITY_SLOT_KIND = 0;
export const PRIORITY_SLOT_ID = 1;
export const PRIORITY_SLOT_POSITION = 2;

/** Every frame starts with an 8-byte header: payload length (uint32), then frame type (uint32). */
export const FRAME_HEADER_BYTES = 8;
/** Frames are 8-byte aligned: copies into a SharedArrayBuffer are ~8x slower when misaligned. */
export const FRAME_ALIGN = 8;
/** Frame type of the filler that pads a ring's tail when the next frame does not fit there. */
export const PADDING_FRAME_TYPE = 0xffff_ffff;
/** Largest frame type a user may write; types above it are reserved. */
export const MAX_FRAME_TYPE = 0x7fff_ffff;

/** Bytes of ring header before the data region, for `prioritySlots` priority slots. */
export function ringHeaderBytes(prioritySlots: number): number {
  const end = PRIORITY_LANE_OFFSET + prioritySlots * PRIORITY_SLOT_BYTES;
  return Math.ceil(end / CACHE_LINE_BYTES) * CACHE_LINE_BYTES;
}

/** Total bytes of a frame whose payload is `payloadBytes` long, header and padding included. */
export function frameBytes(payloadBytes: number): number {
  return FRAME_HEADER_BYTES + ((payloadBytes + FRAME_ALIGN - 1) & ~(FRAME_ALIGN - 1));
}

// ---- Doorbell ----------------------------------------------------------------------------

/** Event count, incremented by every peer that makes progress possible for the owner. */
export const DOORBELL_SEQ = 0;
/** Non-zero while the owner is parked (or about to park) on DOORBELL_SEQ. Writer: owner. */
export const DOORBELL_PARKED = 1 * LINE; // own 64-byte line
/** Count of the owner's parks, for statistics. Writer: owner. */
export const DOORBELL_PARKS = 1 * LINE + 1;
/** Value of the doorbell's magic slot ("SLD1"). */
export const DOORBELL_MAGIC = 0x534c4431;
export const DOORBELL_MAGIC_SLOT = 1 * LINE + 2;
/** Bytes of a doorbell's SharedArrayBuffer. */
export const DOORBELL_BYTES = 2 * CACHE_LINE_BYTES;
