/**
 * Per-subtask record context: the ingestion timestamp of the record being processed.
 * Operators in a chain emit records that inherit it, so a sink measures end-to-end latency
 * from the source record that caused its input.
 */
export interface RecordContext {
  ingestNanos: number;
  /**
   * The record's key group when it arrived on a hash-partitioned channel (the producer hashed
   * its key to route it), or -1. The keyed operator at the head of the chain uses it instead of
   * hashing the key again.
   */
  keyGroup: number;
  /**
   * The record's event time, milliseconds (NaN: none). Set by a source with a watermark strategy,
   * carried through channels, inherited by what chained operators emit; a fired event-time timer
   * or window sets it to its time.
   */
  eventTime: number;
}

/** Nanoseconds on the process.hrtime clock, the same clock in every thread. */
export function nowNanos(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e9 + nanos;
}
