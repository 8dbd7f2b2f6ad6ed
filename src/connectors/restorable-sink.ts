import type { SinkContext, SinkFunction } from '../api/functions.js';

/**
 * A sink whose output survives failover exactly once: a proposed extension of
 * {@link SinkFunction}, which has no snapshot hook yet. The runtime would call
 * `snapshotState()` when the sink takes checkpoint n (and count the checkpoint's
 * acknowledgement only once the promise resolves), store the state with the sink's snapshot,
 * and on restore pass it to `open`. Every sink in src/connectors implements it.
 *
 * - file sink: the state is the file's length; `open` truncates the file to it, so records
 *   written after the checkpoint are written once more, not twice.
 * - collect sink: the state is the records collected so far.
 * - discard sink: the state is the record count and latency histogram so far.
 *
 * Output committed after the restored checkpoint is undone by `SinkFunction.rollback` (the
 * transactional file sink sets such part files aside); the file sink's truncation in `open` is its
 * rollback.
 */
export interface RestorableSinkFunction<T, Result, State> extends SinkFunction<T, Result> {
  /** Opens the sink; `restoredState` is what `snapshotState` returned for the checkpoint restored from. */
  open(ctx: SinkContext, restoredState?: State): void | Promise<void>;
  /**
   * Captures the sink's state for a checkpoint covering every record written so far. The
   * value is fixed when called; a returned promise resolves when that output is durable.
   * Records written while it is pending belong to the next checkpoint. Structured-cloneable.
   */
  snapshotState(): State | Promise<State>;
  /** Called when every input has ended; the sink's part of the job result. */
  finish(): Result | Promise<Result>;
}
