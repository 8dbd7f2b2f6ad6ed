import type { Collector, Key, KeyedContext, OperatorContext, TimerContext } from './context.js';

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
export type FunctionKind =
  | 'map'
  | 'filter'
  | 'flatMap'
  | 'keySelector'
  | 'reduce'
  | 'process'
  | 'source'
  | 'sink'
  | 'timestampAssigner'
  | 'aggregate'
  | 'windowFunction';

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
  /** Called per record; `ctx.timestamp` is its event time, `ctx.timers` registers timers for its key. */
  processElement(value: I, ctx: KeyedContext<Opt>, out: Collector<O>): void;
  /**
   * A timer registered with `ctx.timers` fired: `timestamp` is its time, `ctx.currentKey` the key
   * it was registered for, `ctx.timeDomain` its clock. Records emitted here carry the timer's time
   * as event time (event-time timers).
   */
  onTimer?(timestamp: number, ctx: TimerContext<Opt>, out: Collector<O>): void;
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
  /**
   * The position after the last record emitted. A checkpoint's snapshot passes its id (other
   * callers, such as an error message, pass none): a source that hands records over from
   * elsewhere can note which position each checkpoint holds.
   */
  position(checkpointId?: number): Position;
  /**
   * Restore at another parallelism: returns this subtask's position (then passed to `open`)
   * from `previous`, the positions of every subtask of the checkpoint (index = old subtask).
   * `ctx` gives the new subtask index and parallelism. The positions all new subtasks return
   * must together cover each remaining record exactly once (re-split, or hand each old split
   * to one new subtask). An entry is undefined for an old subtask that had finished: nothing of
   * it is left. A source without it cannot be restored at another parallelism.
   */
  rescalePosition?(ctx: SourceContext, previous: ReadonlyArray<Position | undefined>): Position | undefined;
  /**
   * Says what a position is, with its unit, for messages (`byte offset 1024 of in.txt`). Without
   * it, a message shows the position as JSON and says that the source defines its meaning.
   */
  describePosition?(position: Position): string;
  /** Releases resources. Called once, also after a failure. */
  close?(): void | Promise<void>;
}

/** Context of a sink subtask. */
export interface SinkContext<Opt = unknown> extends OperatorContext<Opt> {
  /** Wakes the subtask's loop after `backpressured()` said true, once the sink can take records again. */
  wakeup(): void;
}

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
  /**
   * Restore at another parallelism: returns the state to `open` this subtask with, from the
   * states of the old subtasks it takes over (`previous`; each old subtask's state is handed
   * to exactly one new subtask, which must commit or abort that subtask's transactions).
   * A sink with state but without it cannot be restored at another parallelism.
   */
  rescaleState?(ctx: SinkContext, previous: ReadonlyArray<{ readonly subtask: number; readonly state: unknown }>, previousParallelism: number): unknown;
  /** Receives one record; `ingestNanos` is when its source emitted it (`process.hrtime`). */
  write(record: T, ingestNanos: number): void;
  /**
   * Whether the sink holds records its destination has not taken yet (a consumer in another
   * thread is behind). While true, the subtask hands it no more records and goes on with its
   * other work, without blocking its thread; the sink calls `ctx.wakeup()` once it can take more.
   * Records of a batch already being handed over still arrive (up to about a thousand): keep them.
   * Called often: answer from a field, moving held records on first if there is room.
   */
  backpressured?(): boolean;
  /** Called at the end of each step of the subtask's loop: pass on what `write` batched, so a trickle of records is not held. */
  flush?(): void;
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

/** What `defineMap` returns: a map function from I to O reading options of type Opt. */
export type MapDefinition<I, O, Opt = unknown> = FunctionDefinition<'map', MapFunction<I, O, Opt>>;
/** What `defineFilter` returns. */
export type FilterDefinition<I, Opt = unknown> = FunctionDefinition<'filter', FilterFunction<I, Opt>>;
/** What `defineFlatMap` returns. */
export type FlatMapDefinition<I, O, Opt = unknown> = FunctionDefinition<'flatMap', FlatMapFunction<I, O, Opt>>;
/** What `defineKeySelector` returns. */
export type KeySelectorDefinition<I> = FunctionDefinition<'keySelector', KeySelector<I>>;
/** What `defineReduce` returns. */
export type ReduceDefinition<T, Opt = unknown> = FunctionDefinition<'reduce', ReduceFunction<T, Opt>>;
/** What `defineProcess` returns. */
export type ProcessDefinition<I, O, Opt = unknown> = FunctionDefinition<'process', ProcessFunction<I, O, Opt>>;
/** What `defineSource` returns. */
export type SourceDefinition<T, Opt = unknown> = FunctionDefinition<'source', SourceFactory<T, Opt>>;
/** What `defineSink` returns. */
export type SinkDefinition<T, Opt = unknown> = FunctionDefinition<'sink', SinkFactory<T, Opt>>;

/**
 * Defines a map function; export the result from its module. The definition carries the
 * input, output and options types, so `stream.map(def)` checks the stream's record type and
 * infers the output.
 */
export function defineMap<I, O, Opt = unknown>(meta: ModuleMeta, fn: MapFunction<I, O, Opt>): MapDefinition<I, O, Opt> {
  return define('map', meta, fn);
}
/** Defines a filter predicate; export the result from its module. */
export function defineFilter<I, Opt = unknown>(meta: ModuleMeta, fn: FilterFunction<I, Opt>): FilterDefinition<I, Opt> {
  return define('filter', meta, fn);
}
/** Defines a flatMap function; export the result from its module. */
export function defineFlatMap<I, O, Opt = unknown>(meta: ModuleMeta, fn: FlatMapFunction<I, O, Opt>): FlatMapDefinition<I, O, Opt> {
  return define('flatMap', meta, fn);
}
/** Defines a key selector for `keyBy`; export the result from its module. */
export function defineKeySelector<I>(meta: ModuleMeta, fn: KeySelector<I>): KeySelectorDefinition<I> {
  return define('keySelector', meta, fn);
}
/** Defines a keyed reduce function; export the result from its module. */
export function defineReduce<T, Opt = unknown>(meta: ModuleMeta, fn: ReduceFunction<T, Opt>): ReduceDefinition<T, Opt> {
  return define('reduce', meta, fn);
}
/** Defines a keyed process function; export the result from its module. */
export function defineProcess<I, O, Opt = unknown>(meta: ModuleMeta, fn: ProcessFunction<I, O, Opt>): ProcessDefinition<I, O, Opt> {
  return define('process', meta, fn);
}
/** Defines a source factory; export the result from its module. */
export function defineSource<T, Opt = unknown>(meta: ModuleMeta, factory: SourceFactory<T, Opt>): SourceDefinition<T, Opt> {
  return define('source', meta, factory);
}
/** Defines a sink factory; export the result from its module. */
export function defineSink<T, Opt = unknown>(meta: ModuleMeta, factory: SinkFactory<T, Opt>): SinkDefinition<T, Opt> {
  return define('sink', meta, factory);
}

/** Whether `value` is a function definition made by a `define*` helper. */
export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && (value as { __sluice?: unknown }).__sluice === 'function';
}
