/**
 * Frame types sluice writes into channel rings. A record batch frame carries many records
 * and each record's ingestion timestamp:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | record count n |
 * | 4 | 4 | numeric: arity a; object: 0, or the packed length with KEY_GROUPS_FLAG |
 * | 8 | 8 × n | ingestion timestamps (float64 nanoseconds, process.hrtime clock) |
 * | 8 + 8n | rest | numeric: n × a float64 values; object: msgpackr of the array of records |
 * | end − k − e | e | with {@link EVENT_TIME_FLAG}: n float64 event times (milliseconds; NaN: none) |
 * | end − k | k | with {@link KEY_GROUPS_FLAG}: n uint16 key groups, padded to 8 bytes |
 *
 * With either flag the body before these columns is padded to 8 bytes, and an object batch
 * keeps its packed length in the low bits of the second word.
 */

/** A batch of object records (msgpackr). */
export const FRAME_OBJECT_BATCH = 1;
/** A batch of numeric records (fixed layout). */
export const FRAME_NUMERIC_BATCH = 2;

/** A batch of `schema` or `string` records, column by column (see columnar-batch.ts). */
export const FRAME_COLUMNAR_BATCH = 8;

/**
 * Set in the second header word of a batch frame when the payload ends with a uint16 column of
 * key groups (padded to 8 bytes): batches of a hash-partitioned edge carry the key group the
 * producer computed, so the consumer does not hash each key again.
 */
export const KEY_GROUPS_FLAG = 0x8000_0000;

/**
 * Set in the second header word of a batch frame when the payload carries each record's event
 * time (a float64 column before the key groups): jobs with event time send it on every edge, so
 * a record keeps its timestamp from the source to the operators that window or time it.
 */
export const EVENT_TIME_FLAG = 0x4000_0000;

/** Both trailer flags of a batch header's second word. */
export const BATCH_FLAGS = (KEY_GROUPS_FLAG | EVENT_TIME_FLAG) >>> 0;

/** A record without an event time (its source has no watermark strategy). */
export const NO_TIMESTAMP = NaN;

/** Bytes of the event-time column of a batch of `count` records. */
export function eventTimeColumnBytes(count: number): number {
  return count * 8;
}

/** Bytes of the key-group column of a batch of `count` records. */
export function keyGroupColumnBytes(count: number): number {
  return (count * 2 + 7) & ~7;
}

/** Bytes before the timestamps of a batch frame. */
export const BATCH_HEADER_BYTES = 8;

/** An in-band checkpoint barrier; payload: checkpoint id (uint32). */
export const FRAME_BARRIER = 3;
/** Payload bytes of a barrier frame. */
export const BARRIER_PAYLOAD_BYTES = 8;

/**
 * An in-band event-time watermark: no record with a smaller event time follows on this
 * channel (except late ones). Payload: the watermark, float64 milliseconds since the epoch;
 * NaN ({@link WATERMARK_IDLE}) says the channel went idle (it stops holding watermarks back
 * until its next watermark).
 */
export const FRAME_WATERMARK = 4;
/** Payload bytes of a watermark frame. */
export const WATERMARK_PAYLOAD_BYTES = 8;

/** The payload of a watermark frame that marks its channel idle. */
export const WATERMARK_IDLE = NaN;
