import type { Collector, Key, KeyedContext, OperatorContext } from './context.js';

/**
 * User functions cannot cross threads. sluice records where a function is defined (its
 * module's URL, from `import.meta`) and finds it again by identity among that module's
 * exports, so a subtask's worker can import the same module and call the same function.
 *
 * ```ts
 * // ops.ts
 * export const double = defineMap(import.meta, (x: number) => x * 2);
 * ```
 */
export interface FunctionDefinition<Kind extends FunctionKind = FunctionKind, Impl = unknown> {
  /** Marks a definition made by sluice's `define*` helpers. */
  readonly __sluice: 'function';
  readonly kind: Kind;
  /** URL of the module that defines (and must export) the function. */
  readonly moduleUrl: string;
  readonly impl: Impl;
}

/** The kinds of user function. */
export type FunctionKind = 'map' | 'filter' | 'flatMap' | 'keySelector' | 'reduce' | 'process' | 'source' | 'sink';

/** What `import.meta` provides that sluice needs. */
export interface ModuleMeta {
  readonly url: string;
}

export type MapFunction<I, O, Opt = unknown> = (value: I, ctx: OperatorContext<Opt>) => O;
export type FilterFunction<I, Opt = unknown> = (value: I, ctx: OperatorContext<Opt>) => boolean;
export type FlatMapFunction<I, O, Opt = unknown> = (value: I, out: Collector<O>, ctx: OperatorContext<Opt>) => void;
export type KeySelector<I> = (value: I) => Key;
export type ReduceFunction<T, Opt = unknown> = (accumulator: T, value: T, ctx: KeyedContext<Opt>) => T;

/** A keyed process function: called per record with the record's key and state in `ctx`. */
export interface ProcessFunction<I, O, Opt = unknown> {
  /** Called once per subtask before the first record. */
  open?(ctx: OperatorContext<Opt>): void | Promise<void>;
  /** Called per record. */
  processElement(value: I, ctx: KeyedContext<Opt>, out: Collector<O>): void;
  /** Called once when every input has ended; may emit final results. */
  onEnd?(ctx: KeyedContext<Opt>, out: Collector<O>): void;
  /** Called once when the subtask stops, normally or not. */
  close?(): void | Promise<void>;
}

/** How a source's `poll` went. */
export type SourceStatus =
  /** It emitted what it could and has more right away. */
  | 'more'
  /** Nothing right now; it will call `ctx.wakeup()` when it has more (after async I/O). */
  | 'idle'
  /** It has emitted everything it ever will. */
  | 'end';

/** Context of a source subtask. */
export interface SourceContext<Opt = unknown> extends OperatorContext<Opt> {
  /** Wakes the subtask's loop after an `'idle'` poll, when data has arrived. */
  wakeup(): void;
  /** Reports a record that could not be read but was sent to a dead-letter output. */
  readonly deadLetters: { count: number };
}

/**
 * A source, instantiated once per subtask. Sources are replayable: `position()` returns
 * where the source is (a sequence number, a byte offset), and `open` resumes from one.
 */
export interface SourceFunction<T, Position = unknown> {
  /** Prepares to read from `restoredPosition` (undefined: from the start). */
  open(ctx: SourceContext, restoredPosition: Position | undefined): void | Promise<void>;
  /** Emits at most `budget` records to `out`. */
  poll(out: Collector<T>, budget: number): SourceStatus;
  /** The position after the last record emitted, for checkpoints. */
  position(): Position;
  /**
   * Says what a position is, with its unit, for messages (`byte offset 1024 of in.txt`). Without
   * it, a message shows the position as JSON and says that the source defines its meaning.
   */
  describePosition?(position: Position): string;
  /** Releases resources. Called once, also after a failure. */
  close?(): void | Promise<void>;
}

/** Context of a sink subtask. */
export interface SinkContext<Opt = unknown> extends OperatorContext<Opt> {}

/**
 * A sink, instantiated once per subtask. A sink that takes part in checkpoints implements
 * `snapshotState` (pre-commit: called at the barrier; what it returns is stored with the
 * checkpoint and handed back to `open` on restore) and `notifyCheckpointComplete` (commit).
 */
export interface SinkFunction<T, Result = unknown> {
  open?(ctx: SinkContext, restoredState?: unknown): void | Promise<void>;
  /**
   * Restore only, called before `open`: undo output this subtask committed after checkpoint
   * `restoredCheckpointId`, the one being restored (a restore that fell back past newer checkpoints,
   * or a restore of an older savepoint, would otherwise leave their output in place, and the records
   * written again after the restore would appear twice). Remove that output or set it aside, and
   * return a description of each item (a path), which the job reports. `restoredState` is what
   * `snapshotState` returned for that checkpoint (undefined if this sink had none in it).
   */
  rollback?(ctx: SinkContext, restoredState: unknown, restoredCheckpointId: number): readonly string[] | void | Promise<readonly string[] | void>;
  /** Pre-commit for checkpoint `checkpointId`: make what was written durable; return the state to keep. */
  snapshotState?(checkpointId: number): unknown;
  /** Checkpoint `checkpointId` is complete: commit what its snapshot pre-committed. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** Receives one record; `ingestNanos` is when its source emitted it (`process.hrtime`). */
  write(record: T, ingestNanos: number): void;
  /** Called when every input has ended; what it returns is the sink's part of the job result. */
  finish?(): Result | Promise<Result>;
  /** Releases resources. Called once, also after a failure. */
  close?(): void | Promise<void>;
}

/** Creates a source instance for one subtask from the options the user gave. */
export type SourceFactory<T, Opt = unknown> = (options: Opt) => SourceFunction<T>;
/** Creates a sink instance for one subtask from the options the user gave. */
export type SinkFactory<T, Opt = unknown> = (options: Opt) => SinkFunction<T>;

function define<K extends FunctionKind, Impl>(kind: K, meta: ModuleMeta, impl: Impl): FunctionDefinition<K, Impl> {
  if (meta === null || typeof meta !== 'object' || typeof meta.url !== 'string') {
    throw new TypeError(`define${kind[0]!.toUpperCase()}${kind.slice(1)}: pass import.meta as the first argument`);
  }
  if (impl === null || (typeof impl !== 'function' && typeof impl !== 'object')) {
    throw new TypeError(`define${kind[0]!.toUpperCase()}${kind.slice(1)}: the second argument must be a function`);
  }
  return Object.freeze({ __sluice: 'function' as const, kind, moduleUrl: meta.url, impl });
}

/** Defines a map function; export the result from its module. */
export const defineMap = <I, O, Opt = unknown>(meta: ModuleMeta, fn: MapFunction<I, O, Opt>) => define('map', meta, fn);
/** Defines a filter predicate; export the result from its module. */
export const defineFilter = <I, Opt = unknown>(meta: ModuleMeta, fn: FilterFunction<I, Opt>) => define('filter', meta, fn);
/** Defines a flatMap function; export the result from its module. */
export const defineFlatMap = <I, O, Opt = unknown>(meta: ModuleMeta, fn: FlatMapFunction<I, O, Opt>) =>
  define('flatMap', meta, fn);
/** Defines a key selector for `keyBy`; export the result from its module. */
export const defineKeySelector = <I>(meta: ModuleMeta, fn: KeySelector<I>) => define('keySelector', meta, fn);
/** Defines a keyed reduce function; export the result from its module. */
export const defineReduce = <T, Opt = unknown>(meta: ModuleMeta, fn: ReduceFunction<T, Opt>) => define('reduce', meta, fn);
/** Defines a keyed process function; export the result from its module. */
export const defineProcess = <I, O, Opt = unknown>(meta: ModuleMeta, fn: ProcessFunction<I, O, Opt>) =>
  define('process', meta, fn);
/** Defines a source factory; export the result from its module. */
export const defineSource = <T, Opt = unknown>(meta: ModuleMeta, factory: SourceFactory<T, Opt>) =>
  define('source', meta, factory);
/** Defines a sink factory; export the result from its module. */
export const defineSink = <T, Opt = unknown>(meta: ModuleMeta, factory: SinkFactory<T, Opt>) => define('sink', meta, factory);

/** Whether `value` is a function definition made by a `define*` helper. */
export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && (value as { __sluice?: unknown }).__sluice === 'function';
}
