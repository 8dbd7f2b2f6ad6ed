/**
 * Windows on keyed streams, by event time: which windows a record belongs to (tumbling,
 * sliding, session), how a window's records are combined (`reduce` or an aggregate), what a
 * window emits (a process window function), how late a record may be (allowed lateness) and
 * where records later than that go (a side output named by an `OutputTag`).
 */
import { ConfigurationError } from '../errors/index.js';
import type { Key } from './context.js';
import type { FunctionDefinition, ModuleMeta } from './functions.js';

/** A window: event times `start <= t < end`, milliseconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The last event time inside a window. */
export function maxTimestampOf(window: TimeWindow): number {
  return window.end - 1;
}

/** Which windows a record with event time `t` belongs to. */
export type WindowAssigner =
  | { readonly kind: 'tumbling'; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'sliding'; readonly sizeMs: number; readonly slideMs: number; readonly offsetMs: number }
  | { readonly kind: 'session'; readonly gapMs: number };

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
}

/** Fixed, non-overlapping windows of `sizeMs`, aligned to the epoch plus `offsetMs`. */
export function tumblingWindows(sizeMs: number, offsetMs = 0): WindowAssigner {
  positive('tumblingWindows sizeMs', sizeMs);
  return { kind: 'tumbling', sizeMs, offsetMs };
}

/** Windows of `sizeMs` starting every `slideMs`: a record is in `ceil(size / slide)` windows. */
export function slidingWindows(sizeMs: number, slideMs: number, offsetMs = 0): WindowAssigner {
  positive('slidingWindows sizeMs', sizeMs);
  positive('slidingWindows slideMs', slideMs);
  if (slideMs > sizeMs) {
    throw new ConfigurationError(`slidingWindows slideMs (${slideMs}) must not exceed sizeMs (${sizeMs}): records between windows would be dropped`);
  }
  return { kind: 'sliding', sizeMs, slideMs, offsetMs };
}

/** Per key, records closer than `gapMs` to each other form one window. */
export function sessionWindows(gapMs: number): WindowAssigner {
  positive('sessionWindows gapMs', gapMs);
  return { kind: 'session', gapMs };
}

function windowStart(t: number, offsetMs: number, stepMs: number): number {
  const rem = (t - offsetMs) % stepMs;
  return t - (rem < 0 ? rem + stepMs : rem);
}

/** The windows a record at event time `t` belongs to (for sessions: its own window before merging). */
export function assignWindows(assigner: WindowAssigner, t: number): TimeWindow[] {
  switch (assigner.kind) {
    case 'tumbling': {
      const start = windowStart(t, assigner.offsetMs, assigner.sizeMs);
      return [{ start, end: start + assigner.sizeMs }];
    }
    case 'sliding': {
      const windows: TimeWindow[] = [];
      const last = windowStart(t, assigner.offsetMs, assigner.slideMs);
      for (let start = last; start > t - assigner.sizeMs; start -= assigner.slideMs) {
        windows.push({ start, end: start + assigner.sizeMs });
      }
      return windows;
    }
    case 'session':
      return [{ start: t, end: t + assigner.gapMs }];
    default:
      throw new TypeError(`unknown window assigner ${String((assigner as { kind: unknown }).kind)}`);
  }
}

/** Combines a window's records incrementally; the accumulator is what a snapshot holds. */
export interface AggregateFunction<T, Acc, R> {
  createAccumulator(): Acc;
  add(accumulator: Acc, record: T): Acc;
  getResult(accumulator: Acc): R;
  /** Combines two accumulators; needed by session windows, which merge. */
  merge(a: Acc, b: Acc): Acc;
}

/** An aggregate from a reduce function: the window's result is the reduced record. */
export function reducing<T>(reduce: (a: T, b: T) => T): AggregateFunction<T, T | undefined, T> {
  return {
    createAccumulator: () => undefined,
    add: (acc, record) => (acc === undefined ? record : reduce(acc, record)),
    getResult: (acc) => acc as T,
    merge: (a, b) => (a === undefined ? b : b === undefined ? a : reduce(a, b)),
  };
}

/** What a window emits, given its key, bounds and aggregate result. Default: the result alone. */
export type ProcessWindowFunction<R, Out> = (key: Key, window: TimeWindow, result: R) => Iterable<Out>;

/** Names a side output: records routed there leave the main stream and can be read as their own stream. */
export interface OutputTag<T> {
  readonly id: string;
  /** Type marker only; never set. */
  readonly __type?: T;
}

/** A side-output tag; `id` must be unique in the job. */
export function outputTag<T>(id: string): OutputTag<T> {
  if (typeof id !== 'string' || id.length === 0) throw new ConfigurationError('an output tag id must be a non-empty string');
  return { id };
}

/** A window operation: assigner, aggregate, window function, lateness and the late side output. */
export interface WindowSpec<T, Acc, R, Out> {
  readonly assigner: WindowAssigner;
  /** Event time of a record, milliseconds. */
  readonly timestampOf: (record: T) => number;
  readonly aggregate: AggregateFunction<T, Acc, R>;
  readonly process?: ProcessWindowFunction<R, Out>;
  /** A window keeps its state this long after the watermark passed its end; a record arriving meanwhile fires it again. */
  readonly allowedLatenessMs?: number;
  /** Records too late even for allowed lateness go here; without a tag they are dropped and counted. */
  readonly lateRecords?: OutputTag<T>;
}

/** What `defineAggregate` returns. */
export type AggregateDefinition<T, Acc, R> = FunctionDefinition<'aggregate', AggregateFunction<T, Acc, R>>;

/** Defines an aggregate function for windows (an object with its four methods); export the result from its module. */
export function defineAggregate<T, Acc, R>(meta: ModuleMeta, aggregate: AggregateFunction<T, Acc, R>): AggregateDefinition<T, Acc, R> {
  if (meta === null || typeof meta !== 'object' || typeof meta.url !== 'string') throw new TypeError('defineAggregate: pass import.meta as the first argument');
  for (const method of ['createAccumulator', 'add', 'getResult', 'merge'] as const) {
    if (aggregate === null || typeof aggregate !== 'object' || typeof aggregate[method] !== 'function') {
      throw new TypeError(`defineAggregate: the aggregate needs a ${method} method`);
    }
  }
  return Object.freeze({ __sluice: 'function' as const, kind: 'aggregate' as const, moduleUrl: meta.url, impl: aggregate });
}

/** What `defineWindowFunction` returns: turns a window's result `R` into output records `Out`. */
export type WindowFunctionDefinition<R, Out> = FunctionDefinition<'windowFunction', ProcessWindowFunction<R, Out>>;

/**
 * Defines a process window function, called once per firing with the key, the window's bounds
 * and its result (the reduced record, the aggregate's result, or all its records for
 * `process`); it returns the records to emit. Export the result from its module.
 */
export function defineWindowFunction<R, Out>(meta: ModuleMeta, fn: ProcessWindowFunction<R, Out>): WindowFunctionDefinition<R, Out> {
  if (meta === null || typeof meta !== 'object' || typeof meta.url !== 'string') throw new TypeError('defineWindowFunction: pass import.meta as the first argument');
  if (typeof fn !== 'function') throw new TypeError('defineWindowFunction: the second argument must be a function');
  return Object.freeze({ __sluice: 'function' as const, kind: 'windowFunction' as const, moduleUrl: meta.url, impl: fn });
}

/**
 * A record too late for its windows, as a window operator's late output carries it (see
 * `WindowedStream.lateRecords()`).
 */
export interface LateRecord<T> {
  readonly __sluiceLate: T;
}

/** Whether `value` is a {@link LateRecord}. */
export function isLateRecord(value: unknown): value is LateRecord<unknown> {
  return typeof value === 'object' && value !== null && '__sluiceLate' in value;
}
