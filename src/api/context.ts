/**
 * What an operator, a source or a sink sees of the runtime. These interfaces are
 * implemented in src/runtime; user code only reads them.
 */

/** A key of keyed state: what a key selector returns. */
export type Key = string | number;

/** The subtask an operator instance runs in. */
export interface TaskInfo {
  /** The operator's name (unique in the job). */
  readonly operatorName: string;
  /** Index of this subtask, from 0. */
  readonly subtaskIndex: number;
  /** How many subtasks the operator has. */
  readonly parallelism: number;
  /** Upper bound of parallelism; the number of key groups. */
  readonly maxParallelism: number;
  /** The id of the job. */
  readonly jobId: string;
}

/** Context handed to every user function: where it runs and the options it was given. */
export interface OperatorContext<Options = unknown> extends TaskInfo {
  /** The serializable options given where the operator was added to the pipeline. */
  readonly options: Options;
}

/** State scoped to the current key: one value per key. */
export interface ValueState<T> {
  /** The value for the current key, or undefined. */
  value(): T | undefined;
  /** Sets the value for the current key. */
  update(value: T): void;
  /** Removes the value for the current key. */
  clear(): void;
}

/** State scoped to the current key: a list per key. */
export interface ListState<T> {
  /** The list for the current key (empty when none); do not modify it in place. */
  get(): readonly T[];
  /** Appends to the current key's list. */
  add(value: T): void;
  /** Replaces the current key's list. */
  update(values: readonly T[]): void;
  /** Removes the current key's list. */
  clear(): void;
}

/** State scoped to the current key: a map per key. */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  has(key: K): boolean;
  remove(key: K): void;
  /** Entries of the current key's map. */
  entries(): IterableIterator<[K, V]>;
  /** Number of entries in the current key's map. */
  size(): number;
  clear(): void;
}

/** Which clock a timer follows: the watermark (event time) or the wall clock (processing time). */
export type TimeDomain = 'event-time' | 'processing-time';

/**
 * Timers of the current key (keyed state: checkpointed, and redistributed by key group when a
 * job is restored at another parallelism). Registering the same time twice fires once.
 */
export interface TimerService {
  /** The subtask's current event-time watermark (-Infinity before the first). */
  currentWatermark(): number;
  /** Wall-clock milliseconds since the epoch. */
  currentProcessingTime(): number;
  /** Calls `onTimer` once the watermark reaches `time` (event time, milliseconds). */
  registerEventTime(time: number): void;
  /** Calls `onTimer` once the wall clock reaches `time` (milliseconds since the epoch). */
  registerProcessingTime(time: number): void;
  deleteEventTime(time: number): void;
  deleteProcessingTime(time: number): void;
}

/** Context of a keyed operator: the current key and its state. */
export interface KeyedContext<Options = unknown> extends OperatorContext<Options> {
  /** The key of the record being processed. */
  readonly currentKey: Key;
  /**
   * The event time of the record being processed (milliseconds), or of the firing timer; NaN
   * when its source has no watermark strategy.
   */
  readonly timestamp: number;
  /** Timers of the current key. */
  readonly timers: TimerService;
  /** Value state named `name`, scoped to the current key. */
  valueState<T>(name: string): ValueState<T>;
  /** List state named `name`, scoped to the current key. */
  listState<T>(name: string): ListState<T>;
  /** Map state named `name`, scoped to the current key. */
  mapState<K, V>(name: string): MapState<K, V>;
  /**
   * Calls `fn` for every key that has a value in the value state `name` (on this subtask),
   * with that key set as the current key. Used at end of input to emit final results.
   */
  forEachKey<T>(name: string, fn: (key: Key, value: T) => void): void;
}

/** Where a function emits records. */
export interface Collector<T> {
  /** Emits one record downstream. */
  collect(record: T): void;
}

/** Context of `onTimer`: the keyed context, with the clock of the timer that fired. */
export interface TimerContext<Options = unknown> extends KeyedContext<Options> {
  readonly timeDomain: TimeDomain;
}
