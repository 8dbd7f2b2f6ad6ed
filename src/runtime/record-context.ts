/**
 * Per-subtask record context: the ingestion timestamp of the record being processed.
 * Operators in a chain emit records that inherit it, so a sink measures end-to-end latency
 * from the source record that caused its input.
 */
export interface RecordContext {
  ingestNanos: number;
}

/** Nanoseconds on the process.hrtime clock, the same clock in every thread. */
export function nowNanos(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e9 + nanos;
}
