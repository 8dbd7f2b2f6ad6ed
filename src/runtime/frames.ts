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
 * | end − k | k | with {@link KEY_GROUPS_FLAG}: n uint16 key groups, padded to 8 bytes |
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
 * channel (except late ones). Payload: the watermark, float64 milliseconds since the epoch.
 */
export const FRAME_WATERMARK = 4;
/** Payload bytes of a watermark frame. */
export const WATERMARK_PAYLOAD_BYTES = 8;
