import { ConfigurationError } from '../errors/sluice-error.js';
import type {
  FilterDefinition,
  FlatMapDefinition,
  FunctionDefinition,
  FunctionKind,
  KeySelectorDefinition,
  MapDefinition,
  ProcessDefinition,
} from './functions.js';
import { isFunctionDefinition } from './functions.js';
import type { KeyField } from './key-field.js';
import type { RecordShape, SinkSpec, SourceSpec } from './specs.js';
import { OBJECT_RECORDS, describeShape } from './specs.js';
import type { KeyedContext } from './context.js';
import type { JobSettings, ResolvedJobSettings } from '../plan/job-settings.js';
import { checkParallelism, resolveJobSettings } from '../plan/job-settings.js';
import { resolveOperatorUid } from '../plan/operator-uid.js';
import type { KeySpec, LogicalEdge, LogicalNode, OperatorKind, Partitioning } from '../plan/logical-graph.js';
import type { ExecuteOptions, JobEvent, JobResult } from '../runtime/job-result.js';
import { JobControl } from '../runtime/job-control.js';
import { isSubtaskWorker } from '../runtime/worker-marker.js';
import { refuseExecuteDuringModuleEvaluation } from '../runtime/top-level-execute.js';
import type { CheckpointStatistics } from '../checkpoint/checkpoint-stats.js';
import { Job, attachEndpoints } from './job.js';
import { isMainThreadEndpoint } from './main-thread-endpoint.js';
import type { AttachedEndpoints } from './job.js';
import type { WatermarkStrategy } from './event-time.js';
import { isWatermarkStrategy } from './event-time.js';
import type { AggregateDefinition, WindowAssigner, WindowFunctionDefinition } from './windows.js';
import { windowLateRecords, windowResults } from './late-records.js';
import type { WindowCombine, WindowNodeSpec } from '../plan/logical-graph.js';

/** Options of a {@link Pipeline}: the job-wide settings (name, default parallelism, key groups, channel size). */
export type PipelineOptions = JobSettings;

/** Options where an operator is added to a pipeline. */
export interface OperatorOptions<Opt = unknown> {
  /** Operator name, unique in the job. Default: the kind and a number, e.g. 'map-2'. */
  readonly name?: string;
  /**
   * Stable identity of the operator's state in checkpoints and savepoints, unique in the job:
   * state is restored by uid, so it survives renaming, re-chaining and reordering. Letters,
   * digits, '.', '_', '-'. Default: derived from the name (`'count words'` gives `'count-words'`).
   */
  readonly uid?: string;
  /** Parallelism of this operator. Default: the pipeline's. */
  readonly parallelism?: number;
  /**
   * The operator's slot sharing group (Flink's `slotSharingGroup(String)`). Operators of one
   * group share worker threads: subtask i of each runs on the group's i-th thread. Operators of
   * different groups never share a thread and are never chained together, so an operator
   * whose user code blocks (a synchronous call, `Atomics.wait`) in a group of its own stalls
   * no other operator. Default: `'default'`.
   */
  readonly slotSharingGroup?: string;
  /** Serializable options, handed to the function as `ctx.options`. */
  readonly options?: Opt;
  /** Shape of the records this operator emits (default: plain objects through msgpackr). */
  readonly returns?: RecordShape;
}

/**
 * The record type a function must accept on a stream of `T`. A stream of `unknown` records
 * (a source that did not say what it reads) is untyped: any function is accepted there.
 */
export type Accepted<T> = unknown extends T ? any : T;

/**
 * A reduce function usable on a keyed stream of `T`: it folds values of a type `S` that every
 * record of `T` is (a `ReduceFunction<S>`), so the result is a stream of `S`.
 */
export type ReduceOn<T, S, Opt> = FunctionDefinition<'reduce', (accumulator: S, value: Accepted<T>, ctx: KeyedContext<Opt>) => S>;

/**
 * The options argument of an operator whose function reads options of type `Opt`
 * (`ctx.options`): optional when the function declares none (or accepts undefined), required
 * with a matching `options` field when it does.
 */
export type OperatorArgs<Opt> = unknown extends Opt
  ? [options?: OperatorOptions<Opt>]
  : undefined extends Opt
    ? [options?: OperatorOptions<Opt>]
    : [options: OperatorOptions<Opt> & { readonly options: Opt }];

/** Options where a source is added to a pipeline. */
export type SourceOptions<T> = Omit<OperatorOptions, 'options' | 'returns'> & {
  /**
   * Event time: how the source's records are timestamped and its watermarks made, e.g.
   * `boundedOutOfOrderness({ timestamp, maxOutOfOrdernessMs: 5000 })`. With it, records carry
   * their event time through every edge, and watermarks flow in-band to windows and timers.
   */
  readonly watermarks?: WatermarkStrategy<Accepted<T>>;
};

/**
 * A handle on a sink in the pipeline; its name finds its results in the {@link JobResult}, and
 * `job.results(handle)` iterates the records of a results sink (typed as the stream's records).
 */
export interface SinkHandle<T = unknown> {
  readonly name: string;
  /** Phantom member carrying the type of the records the sink receives (never set). */
  readonly __records?: T;
}

/** The slot sharing group every operator is in unless its options name another. */
export const DEFAULT_SLOT_SHARING_GROUP = 'default';

function checkSlotSharingGroup(value: unknown, operator: string): string {
  if (value === undefined) return DEFAULT_SLOT_SHARING_GROUP;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigurationError(
      `operator '${operator}': slotSharingGroup must be a non-empty string, got ${typeof value === 'string' ? "''" : String(value)}; omit it for the default group`,
    );
  }
  return value;
}

function checkFunction(value: unknown, kind: FunctionKind, where: string): FunctionDefinition {
  if (!isFunctionDefinition(value)) {
    const hint = typeof value === 'function' ? ': wrap it with define' + kind[0]!.toUpperCase() + kind.slice(1) + '(import.meta, fn) in a module and export it' : '';
    throw new ConfigurationError(`${where} needs a function defined with sluice's define* helpers${hint}`);
  }
  if (value.kind !== kind) {
    throw new ConfigurationError(`${where} needs a ${kind} function, got a ${value.kind} function (from ${value.moduleUrl})`);
  }
  return value;
}

/**
 * The job builder, in the style of Flink's DataStream API. Add sources, transform the
 * streams they return, add sinks, then {@link execute}.
 *
 * ```ts
 * const pipeline = new Pipeline({ parallelism: 2 });
 * pipeline.source(generatorSource({ count: 1e6, shape: 'numeric' }))
 *   .map(double)
 *   .keyBy(1)
 *   .reduce(sum)
 *   .sink(discardSink());
 * const result = await pipeline.execute();
 * ```
 */
export class Pipeline {
  /** Job-wide defaults, validated. */
  readonly options: ResolvedJobSettings;
  readonly #nodes: LogicalNode[] = [];
  readonly #names = new Set<string>();
  readonly #uids = new Set<string>();
  /** The execute() in progress; its control exists once the job manager is loaded. */
  #running: { cancel(reason?: unknown): void; control?: JobControl } | undefined;

  constructor(options: PipelineOptions = {}) {
    this.options = resolveJobSettings(options);
  }

  /** The logical graph built so far. */
  get nodes(): readonly LogicalNode[] {
    return this.#nodes;
  }

  /** Adds a source; returns the stream of its records. `options.watermarks` gives it event time. */
  source<T>(spec: SourceSpec<T>, options: SourceOptions<NoInfer<T>> = {}): DataStream<T> {
    if (spec === null || typeof spec !== 'object' || !isFunctionDefinition(spec.fn)) {
      throw new ConfigurationError('pipeline.source() needs a source spec, such as generatorSource({...}) or fileSource({...})');
    }
    checkFunction(spec.fn, 'source', 'pipeline.source()');
    const { watermarks, ...operatorOptions } = options;
    if (watermarks !== undefined && !isWatermarkStrategy(watermarks)) {
      throw new ConfigurationError('pipeline.source(): options.watermarks must be a watermark strategy, such as boundedOutOfOrderness({ timestamp, maxOutOfOrdernessMs })');
    }
    const parallelism = operatorOptions.parallelism ?? spec.parallelism;
    const node = this.addNode('source', spec.fn, [], { ...operatorOptions, parallelism, options: spec.options, returns: spec.shape }, spec.name, undefined, watermarks ? { watermarks } : {});
    return new DataStream<T>(this, node);
  }

  /** Runs the job to its end (or until cancelled) and returns what it did: `start(options).done`. */
  async execute(options: ExecuteOptions = {}): Promise<JobResult> {
    const results = this.#nodes.find((node) => isMainThreadEndpoint(node.options) && node.options.providesResults === true);
    if (results) {
      // Nobody would take its records: the job would stop once the buffers are full.
      throw new ConfigurationError(
        `results sink '${results.name}' is read with job.results(): run the pipeline with pipeline.start() and iterate job.results(), ` +
          'or use collectSink() to get the records in the result of execute()',
      );
    }
    return this.start(options).done;
  }

  /**
   * Starts the job and returns a handle on it at once: `done` resolves with what `execute()`
   * returns, `results()` iterates the records of a results sink while the job runs, and the
   * handle cancels it or takes savepoints. Throws when the pipeline cannot start (no sink,
   * already running, a connector that cannot run again).
   */
  start(options: ExecuteOptions = {}): Job {
    if (isSubtaskWorker()) {
      throw new ConfigurationError(
        `execute() was called while a sluice worker thread imported a module to find its operators (pipeline '${this.options.name}'): ` +
          'the module that defines operators (define*) must not execute the job at top level. Move the operators into their own module ' +
          "and import them, or run the job with 'sluice run' from a module whose default export builds the pipeline, " +
          "or guard the call: if (isMainThread) await pipeline.execute() (isMainThread from 'node:worker_threads')",
      );
    }
    if (this.#running) throw new ConfigurationError('this pipeline is already executing; await the first execute()');
    if (!this.#nodes.some((node) => node.kind === 'sink')) {
      throw new ConfigurationError('the pipeline has no sink: add one with stream.sink(...)');
    }
    // Before the first await: called from a module's top-level code, the stack still shows it.
    const evaluated = refuseExecuteDuringModuleEvaluation(this.#nodes.map((node) => node.fn?.moduleUrl));
    // Marked running before anything else: a second start() or a cancel() in the same tick must see this one.
    const controller = new AbortController();
    const control = new JobControl();
    this.#running = { cancel: (reason) => controller.abort(reason), control };
    let endpoints: AttachedEndpoints;
    try {
      endpoints = attachEndpoints(this.#nodes, this.options, options, controller);
    } catch (error) {
      this.#running = undefined;
      void evaluated.catch(() => {});
      throw error;
    }
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const userOnEvent = options.onEvent;
    const onEvent = (event: JobEvent) => {
      endpoints.onEvent(event);
      userOnEvent?.(event);
    };
    const done = (async () => {
      try {
        await evaluated;
        const { executeJob } = await import('../runtime/job-manager.js');
        const result = await executeJob(this.options, endpoints.nodes, { ...options, signal: controller.signal, onEvent }, control);
        // A Writable sink finishes writing the last records before the job counts as done.
        await endpoints.onEnd({ kind: 'finished', result });
        return result;
      } catch (error) {
        // An endpoint that stopped the job (a Writable that failed) says why, not the cancel it caused.
        const failure = endpoints.failure ?? error;
        await endpoints.onEnd({ kind: 'failed', error: failure }).catch(() => {});
        throw failure;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        this.#running = undefined;
      }
    })();
    return new Job(done, control, (reason) => controller.abort(reason), endpoints.results);
  }

  /**
   * Takes a savepoint of the running job into `dir`: the checkpoint format, in a directory
   * that retention never touches; restore it with `execute({ restore: dir })`.
   */
  async savepoint(dir: string): Promise<CheckpointStatistics> {
    if (!this.#running?.control) throw new ConfigurationError('pipeline.savepoint() needs a running execute()');
    return this.#running.control.savepoint(dir);
  }

  /** Takes a savepoint into `dir`, then stops the job: `execute()` resolves with `savepoint: dir`. */
  async stopWithSavepoint(dir: string): Promise<CheckpointStatistics> {
    if (!this.#running?.control) throw new ConfigurationError('pipeline.stopWithSavepoint() needs a running execute()');
    return this.#running.control.stopWithSavepoint(dir);
  }

  /** Cancels a running {@link execute}: it rejects with a JobCancelledError. No-op when idle. */
  cancel(reason?: unknown): void {
    this.#running?.cancel(reason);
  }

  /** @internal Adds a node to the graph. */
  addNode(
    kind: OperatorKind,
    fn: FunctionDefinition | undefined,
    inputs: LogicalEdge[],
    options: OperatorOptions,
    defaultName: string,
    key?: KeySpec,
    extra: Pick<LogicalNode, 'watermarks' | 'window'> = {},
  ): LogicalNode {
    const id = this.#nodes.length;
    const name = options.name ?? `${defaultName}-${id}`;
    if (typeof name !== 'string' || name.length === 0) throw new ConfigurationError('an operator name must be a non-empty string');
    if (this.#names.has(name)) {
      throw new ConfigurationError(`operator name '${name}' is used twice in this pipeline; names must be unique`);
    }
    const uid = resolveOperatorUid(options.uid, name);
    if (this.#uids.has(uid)) {
      throw new ConfigurationError(
        `operator '${name}': uid '${uid}' is already the uid of another operator; uids must be unique (set { uid } on one of them)`,
      );
    }
    this.#names.add(name);
    this.#uids.add(uid);
    const node: LogicalNode = {
      id,
      name,
      uid,
      kind,
      fn,
      options: options.options,
      parallelism: checkParallelism(options.parallelism, `operator '${name}': parallelism`),
      slotSharingGroup: checkSlotSharingGroup(options.slotSharingGroup, name),
      shape: options.returns ?? OBJECT_RECORDS,
      inputs,
      key,
      ...extra,
    };
    if (node.parallelism !== undefined && node.parallelism > this.options.maxParallelism) {
      throw new ConfigurationError(
        `operator '${name}': parallelism ${node.parallelism} exceeds maxParallelism ${this.options.maxParallelism}`,
      );
    }
    this.#nodes.push(node);
    return node;
  }
}

/** A stream of records of type T. */
export class DataStream<T> {
  /** @internal */
  readonly pipeline: Pipeline;
  /** @internal */
  readonly node: LogicalNode;
  /** @internal Partitioning of the edge to the next operator. */
  readonly partitioning: Partitioning;

  /** @internal */
  constructor(pipeline: Pipeline, node: LogicalNode, partitioning: Partitioning = { type: 'auto' }) {
    this.pipeline = pipeline;
    this.node = node;
    this.partitioning = partitioning;
  }

  /** The operator that produces this stream. */
  get name(): string {
    return this.node.name;
  }

  #edge(): LogicalEdge[] {
    return [{ from: this.node.id, partitioning: this.partitioning }];
  }

  /**
   * One output record per input record. The function must take this stream's records; the
   * output type is the function's, and `options.options` must be what it reads as `ctx.options`.
   */
  map<O, Opt = unknown>(fn: MapDefinition<Accepted<T>, O, Opt>, ...args: OperatorArgs<NoInfer<Opt>>): DataStream<O> {
    const options: OperatorOptions<Opt> = args[0] ?? {};
    checkFunction(fn, 'map', 'map()');
    return new DataStream<O>(this.pipeline, this.pipeline.addNode('map', fn, this.#edge(), options, 'map'));
  }

  /** Keeps the records for which the predicate returns true. */
  filter<Opt = unknown>(fn: FilterDefinition<Accepted<T>, Opt>, ...args: OperatorArgs<NoInfer<Opt>>): DataStream<T> {
    const options: OperatorOptions<Opt> = args[0] ?? {};
    checkFunction(fn, 'filter', 'filter()');
    const returns = options.returns ?? this.node.shape;
    return new DataStream<T>(this.pipeline, this.pipeline.addNode('filter', fn, this.#edge(), { ...options, returns }, 'filter'));
  }

  /** Zero or more output records per input record; the output type is the function's. */
  flatMap<O, Opt = unknown>(fn: FlatMapDefinition<Accepted<T>, O, Opt>, ...args: OperatorArgs<NoInfer<Opt>>): DataStream<O> {
    const options: OperatorOptions<Opt> = args[0] ?? {};
    checkFunction(fn, 'flatMap', 'flatMap()');
    return new DataStream<O>(this.pipeline, this.pipeline.addNode('flatMap', fn, this.#edge(), options, 'flatMap'));
  }

  /**
   * Partitions by key: records with the same key go to the same subtask, through key
   * groups. The key is a field name of object records, an index of array records, or a
   * key selector of this stream's records defined with `defineKeySelector`.
   */
  keyBy<K extends KeyField<T> | KeySelectorDefinition<Accepted<T>>>(keyArg: K): KeyedStream<T> {
    // Checked again at run time: callers without types (JavaScript, `any`) reach here too.
    const key: unknown = keyArg;
    let spec: KeySpec;
    if (typeof key === 'string' || typeof key === 'number') {
      if (typeof key === 'number' && (!Number.isInteger(key) || key < 0)) {
        throw new ConfigurationError(`keyBy(${key}): an index key must be a non-negative integer`);
      }
      if (typeof key === 'number' && this.node.shape.kind === 'numeric' && key >= this.node.shape.arity) {
        throw new ConfigurationError(`keyBy(${key}): records of '${this.node.name}' have only ${this.node.shape.arity} fields`);
      }
      spec = { type: 'field', field: key };
    } else {
      spec = { type: 'function', fn: checkFunction(key, 'keySelector', 'keyBy()') as FunctionDefinition<'keySelector'> };
    }
    return new KeyedStream<T>(this.pipeline, this.node, spec);
  }

  /** Sends records round-robin to every subtask of the next operator. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.pipeline, this.node, { type: 'rebalance' });
  }

  /** Sends every record to every subtask of the next operator. */
  broadcast(): DataStream<T> {
    return new DataStream<T>(this.pipeline, this.node, { type: 'broadcast' });
  }

  /** Merges streams of the same record type into one. */
  union(...others: DataStream<Accepted<T>>[]): DataStream<T> {
    const inputs: LogicalEdge[] = [...this.#edge()];
    for (const other of others) {
      if (!(other instanceof DataStream) || other.pipeline !== this.pipeline) {
        throw new ConfigurationError('union() takes streams of the same pipeline');
      }
      if (JSON.stringify(other.node.shape) !== JSON.stringify(this.node.shape)) {
        throw new ConfigurationError(`union(): '${other.node.name}' emits ${describeShape(other.node.shape)} records, '${this.node.name}' ${describeShape(this.node.shape)}`);
      }
      inputs.push({ from: other.node.id, partitioning: other.partitioning });
    }
    return new DataStream<T>(this.pipeline, this.pipeline.addNode('union', undefined, inputs, { returns: this.node.shape }, 'union'));
  }

  /** Writes the stream to a sink. */
  sink(spec: SinkSpec<Accepted<T>>, options: Omit<OperatorOptions, 'options' | 'returns'> = {}): SinkHandle<T> {
    if (spec === null || typeof spec !== 'object' || !isFunctionDefinition(spec.fn)) {
      throw new ConfigurationError('sink() needs a sink spec, such as fileSink({...}), collectSink() or discardSink()');
    }
    checkFunction(spec.fn, 'sink', 'sink()');
    const node = this.pipeline.addNode('sink', spec.fn, this.#edge(), { ...options, options: spec.options }, spec.name);
    return { name: node.name };
  }
}

/** A stream partitioned by key; keyed operators see the key and keyed state. */
export class KeyedStream<T> {
  readonly #pipeline: Pipeline;
  readonly #node: LogicalNode;
  readonly #key: KeySpec;

  /** @internal */
  constructor(pipeline: Pipeline, node: LogicalNode, key: KeySpec) {
    this.#pipeline = pipeline;
    this.#node = node;
    this.#key = key;
  }

  #edge(): LogicalEdge[] {
    return [{ from: this.#node.id, partitioning: { type: 'hash', key: this.#key } }];
  }

  /** Folds each key's records into one value, emitting the updated value per record. */
  reduce<S, Opt = unknown>(fn: ReduceOn<T, S, Opt>, ...args: OperatorArgs<NoInfer<Opt>>): DataStream<S> {
    const options: OperatorOptions<Opt> = args[0] ?? {};
    checkFunction(fn, 'reduce', 'reduce()');
    const returns = options.returns ?? this.#node.shape;
    const node = this.#pipeline.addNode('reduce', fn, this.#edge(), { ...options, returns }, 'reduce', this.#key);
    return new DataStream<S>(this.#pipeline, node);
  }

  /** A keyed process function with value, list and map state per key; the output type is the function's. */
  process<O, Opt = unknown>(fn: ProcessDefinition<Accepted<T>, O, Opt>, ...args: OperatorArgs<NoInfer<Opt>>): DataStream<O> {
    const options: OperatorOptions<Opt> = args[0] ?? {};
    checkFunction(fn, 'process', 'process()');
    const node = this.#pipeline.addNode('process', fn, this.#edge(), options, 'process', this.#key);
    return new DataStream<O>(this.#pipeline, node);
  }

  /**
   * Event-time windows per key: `tumblingWindows(size)`, `slidingWindows(size, slide)` or
   * `sessionWindows(gap)`. Needs a source with a watermark strategy; a window fires when the
   * watermark passes its end.
   */
  window(assigner: WindowAssigner): WindowedStream<T> {
    if (assigner === null || typeof assigner !== 'object' || !['tumbling', 'sliding', 'session'].includes((assigner as { kind?: string }).kind ?? '')) {
      throw new ConfigurationError('window() needs a window assigner: tumblingWindows(sizeMs), slidingWindows(sizeMs, slideMs) or sessionWindows(gapMs)');
    }
    return new WindowedStream<T>(this.#pipeline, this.#node, this.#key, assigner, 0);
  }
}

/** Options of a window operation (name, uid, parallelism, shape of its results). */
export type WindowOptions = Omit<OperatorOptions, 'options'>;

/** A keyed stream cut into event-time windows: combine each window's records with reduce, aggregate or process. */
export class WindowedStream<T> {
  readonly #pipeline: Pipeline;
  readonly #node: LogicalNode;
  readonly #key: KeySpec;
  readonly #assigner: WindowAssigner;
  readonly #allowedLatenessMs: number;

  /** @internal */
  constructor(pipeline: Pipeline, node: LogicalNode, key: KeySpec, assigner: WindowAssigner, allowedLatenessMs: number) {
    this.#pipeline = pipeline;
    this.#node = node;
    this.#key = key;
    this.#assigner = assigner;
    this.#allowedLatenessMs = allowedLatenessMs;
  }

  /**
   * Keeps each window's state this long after the watermark passed its end: a record arriving
   * meanwhile updates the window and fires it again. Later records are late (see `lateRecords()`).
   */
  allowedLateness(ms: number): WindowedStream<T> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new ConfigurationError(`allowedLateness(ms): ms must be a finite number of milliseconds >= 0, got ${String(ms)}`);
    }
    return new WindowedStream<T>(this.#pipeline, this.#node, this.#key, this.#assigner, ms);
  }

  /** Reduces each window's records incrementally; the result (or what `windowFunction` makes of it) goes out when the window fires. */
  reduce<S, Out = S>(fn: ReduceOn<T, S, unknown>, windowFunction?: WindowFunctionDefinition<S, Out>, options: WindowOptions = {}): WindowResultStream<T, Out> {
    checkFunction(fn, 'reduce', 'window().reduce()');
    return this.#add('reduce', fn, windowFunction, options);
  }

  /** Aggregates each window's records incrementally (defineAggregate); the result (or what `windowFunction` makes of it) goes out when the window fires. */
  aggregate<Acc, R, Out = R>(
    fn: AggregateDefinition<Accepted<T>, Acc, R>,
    windowFunction?: WindowFunctionDefinition<R, Out>,
    options: WindowOptions = {},
  ): WindowResultStream<T, Out> {
    checkFunction(fn, 'aggregate', 'window().aggregate()');
    return this.#add('aggregate', fn, windowFunction, options);
  }

  /** Keeps each window's records and hands them all to `windowFunction` when the window fires. */
  process<Out>(windowFunction: WindowFunctionDefinition<T[], Out>, options: WindowOptions = {}): WindowResultStream<T, Out> {
    return this.#add('collect', undefined, windowFunction, options);
  }

  #add<Out>(combine: WindowCombine, fn: FunctionDefinition | undefined, windowFunction: FunctionDefinition | undefined, options: WindowOptions): WindowResultStream<T, Out> {
    if (windowFunction !== undefined) checkFunction(windowFunction, 'windowFunction', `window().${combine === 'collect' ? 'process' : combine}()`);
    const window: WindowNodeSpec = {
      assigner: this.#assigner,
      allowedLatenessMs: this.#allowedLatenessMs,
      combine,
      windowFunction: windowFunction as FunctionDefinition<'windowFunction'> | undefined,
      emitLate: false,
    };
    const { returns, ...rest } = options;
    // The window operator's own output carries results and late records (objects); the results
    // stream is a filter chained to it, the late records a flatMap that `lateRecords()` adds.
    const node = this.#pipeline.addNode(
      'window',
      fn,
      [{ from: this.#node.id, partitioning: { type: 'hash', key: this.#key } }],
      rest,
      'window',
      this.#key,
      { window },
    );
    const results = this.#pipeline.addNode(
      'filter',
      windowResults,
      [{ from: node.id, partitioning: { type: 'auto' } }],
      {
        name: `${node.name}.results`,
        slotSharingGroup: node.slotSharingGroup,
        ...(rest.parallelism === undefined ? {} : { parallelism: rest.parallelism }),
        ...(returns ? { returns } : {}),
      },
      'results',
    );
    return new WindowResultStream<T, Out>(this.#pipeline, results, node, window, this.#node.shape);
  }
}

/** The results of a window operation; `lateRecords()` is the stream of its records too late for their windows. */
export class WindowResultStream<T, Out> extends DataStream<Out> {
  readonly #window: LogicalNode;
  readonly #spec: WindowNodeSpec;
  readonly #inputShape: RecordShape;
  #late: DataStream<T> | undefined;

  /** @internal */
  constructor(pipeline: Pipeline, results: LogicalNode, window: LogicalNode, spec: WindowNodeSpec, inputShape: RecordShape) {
    super(pipeline, results);
    this.#window = window;
    this.#spec = spec;
    this.#inputShape = inputShape;
  }

  /**
   * The records that arrived after their windows were purged (later than the allowed lateness),
   * as a stream of their own (Flink's side output for late data). Without it they are dropped.
   */
  lateRecords(): DataStream<T> {
    if (this.#late) return this.#late;
    this.#spec.emitLate = true;
    const node = this.pipeline.addNode(
      'flatMap',
      windowLateRecords,
      [{ from: this.#window.id, partitioning: { type: 'auto' } }],
      { name: `${this.#window.name}.late`, slotSharingGroup: this.#window.slotSharingGroup, ...(this.#window.parallelism === undefined ? {} : { parallelism: this.#window.parallelism }), returns: this.#inputShape },
      'late',
    );
    return (this.#late = new DataStream<T>(this.pipeline, node));
  }
}

