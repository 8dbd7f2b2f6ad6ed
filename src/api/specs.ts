import type { FunctionDefinition } from './functions.js';

/**
 * How records of a stream travel between subtasks. `object`: any plain value, serialized
 * with msgpackr. `numeric`: fixed-arity arrays of numbers, on a fixed-layout fast path
 * (float64 each, no per-record encoding work).
 */
export type RecordShape = { readonly kind: 'object' } | { readonly kind: 'numeric'; readonly arity: number };

/** Records are plain values, serialized with msgpackr. The default. */
export const OBJECT_RECORDS: RecordShape = Object.freeze({ kind: 'object' });

/** Records are arrays of `arity` numbers, on the fixed-layout fast path. */
export function numericRecords(arity: number): RecordShape {
  if (!Number.isInteger(arity) || arity < 1 || arity > 1024) {
    throw new TypeError(`numeric record arity must be an integer from 1 to 1024, got ${String(arity)}`);
  }
  return Object.freeze({ kind: 'numeric', arity });
}

/** A source ready to be added to a pipeline: its factory, its options and a default name. */
export interface SourceSpec<T = unknown> {
  readonly fn: FunctionDefinition<'source'>;
  readonly options: unknown;
  /** Default operator name, e.g. 'generator'. */
  readonly name: string;
  /** Shape of the records it emits. */
  readonly shape: RecordShape;
  /** Phantom member carrying the record type (never set): `source(spec)` returns a `DataStream<T>`. */
  readonly __record?: T;
}

/** A sink ready to be added to a pipeline. */
export interface SinkSpec<T = unknown> {
  readonly fn: FunctionDefinition<'sink'>;
  readonly options: unknown;
  /** Default operator name, e.g. 'file-sink'. */
  readonly name: string;
  /**
   * Phantom member carrying the record type the sink accepts (never set). A function
   * parameter, so a sink of `unknown` records accepts a stream of any type, while a sink of
   * `string` records rejects a stream of numbers.
   */
  readonly __accepts?: (record: T) => void;
}
