/**
 * Event time at sources: a timestamp assigner (defined in a module, like every user function)
 * and a watermark strategy, given where a source is added:
 *
 * ```ts
 * // ops.ts
 * export const clickTime = defineTimestampAssigner(import.meta, (click: Click) => click.ts);
 * // job.ts
 * pipeline.source(fileSource({ path: 'clicks.ndjson', format: 'ndjson' }), {
 *   watermarks: boundedOutOfOrderness({ timestamp: clickTime, maxOutOfOrdernessMs: 5_000, idleTimeoutMs: 60_000 }),
 * });
 * ```
 */
import { ConfigurationError } from '../errors/sluice-error.js';
import type { FunctionDefinition, ModuleMeta } from './functions.js';
import { isFunctionDefinition } from './functions.js';

/** Extracts a record's event time, in milliseconds since the epoch. */
export type TimestampAssigner<T> = (record: T) => number;

/** What `defineTimestampAssigner` returns. */
export type TimestampAssignerDefinition<T> = FunctionDefinition<'timestampAssigner', TimestampAssigner<T>>;

/** Defines a timestamp assigner; export the result from its module. */
export function defineTimestampAssigner<T>(meta: ModuleMeta, fn: TimestampAssigner<T>): TimestampAssignerDefinition<T> {
  if (meta === null || typeof meta !== 'object' || typeof meta.url !== 'string') {
    throw new TypeError('defineTimestampAssigner: pass import.meta as the first argument');
  }
  if (typeof fn !== 'function') throw new TypeError('defineTimestampAssigner: the second argument must be a function');
  return Object.freeze({ __sluice: 'function' as const, kind: 'timestampAssigner' as const, moduleUrl: meta.url, impl: fn });
}

/**
 * How a source derives watermarks from the event times it reads. Serializable apart from the
 * assigner's definition, which workers find again by module and export.
 */
export interface WatermarkStrategy<T> {
  readonly kind: 'bounded-out-of-orderness';
  readonly timestamp: TimestampAssignerDefinition<T>;
  /** Records may arrive up to this many milliseconds behind the latest event time seen. */
  readonly maxOutOfOrdernessMs: number;
  /** A source subtask that read nothing for this long marks itself idle; undefined: never. */
  readonly idleTimeoutMs: number | undefined;
}

/** Options of {@link boundedOutOfOrderness}. */
export interface BoundedOutOfOrdernessOptions<T> {
  /** The record's event time, defined with `defineTimestampAssigner`. */
  readonly timestamp: TimestampAssignerDefinition<T>;
  /** How far, in milliseconds, a record may lag behind the latest event time. Default 0 (ascending timestamps). */
  readonly maxOutOfOrdernessMs?: number;
  /** Milliseconds without records after which a source subtask stops holding back the watermark. Default: never. */
  readonly idleTimeoutMs?: number;
}

/**
 * Watermarks that trail the largest event time seen by `maxOutOfOrdernessMs` (Flink's
 * `forBoundedOutOfOrderness`): watermark = max event time − maxOutOfOrdernessMs − 1, emitted
 * after each batch a source subtask reads when it advanced.
 */
export function boundedOutOfOrderness<T>(options: BoundedOutOfOrdernessOptions<T>): WatermarkStrategy<T> {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('boundedOutOfOrderness({ timestamp, maxOutOfOrdernessMs, idleTimeoutMs }) needs an options object');
  }
  const { timestamp } = options;
  if (!isFunctionDefinition(timestamp) || timestamp.kind !== 'timestampAssigner') {
    throw new ConfigurationError(
      'boundedOutOfOrderness: options.timestamp must be a timestamp assigner: export const ts = defineTimestampAssigner(import.meta, (r) => r.time) from a module',
    );
  }
  const maxOutOfOrdernessMs = options.maxOutOfOrdernessMs ?? 0;
  if (typeof maxOutOfOrdernessMs !== 'number' || !Number.isFinite(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
    throw new ConfigurationError(
      `boundedOutOfOrderness: options.maxOutOfOrdernessMs must be a finite number >= 0, got ${String(maxOutOfOrdernessMs)}: how late, in milliseconds, a record may be`,
    );
  }
  const idleTimeoutMs = options.idleTimeoutMs;
  if (idleTimeoutMs !== undefined && (typeof idleTimeoutMs !== 'number' || !Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0)) {
    throw new ConfigurationError(`boundedOutOfOrderness: options.idleTimeoutMs must be a positive number of milliseconds, got ${String(idleTimeoutMs)}; omit it for never`);
  }
  return Object.freeze({ kind: 'bounded-out-of-orderness' as const, timestamp, maxOutOfOrdernessMs, idleTimeoutMs });
}

/** Whether `value` is a strategy made by {@link boundedOutOfOrderness}. */
export function isWatermarkStrategy(value: unknown): value is WatermarkStrategy<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'bounded-out-of-orderness' &&
    isFunctionDefinition((value as { timestamp?: unknown }).timestamp)
  );
}
