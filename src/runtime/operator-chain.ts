import type { Collector, Key, KeyedContext, ListState, MapState, OperatorContext, ValueState } from '../api/context.js';
import type {
  FilterFunction,
  FlatMapFunction,
  MapFunction,
  ProcessFunction,
  ReduceFunction,
  SinkContext,
  SinkFactory,
  SinkFunction,
  SourceContext,
  SourceFactory,
  SourceFunction,
} from '../api/functions.js';
import { assertNever } from '../errors/sluice-error.js';
import { loadFunction } from '../plan/function-ref.js';
import type { PlannedOperator } from '../plan/job-plan.js';
import { Packr, Unpackr } from 'msgpackr';
import { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { keyGroupRange } from '../state/key-groups.js';
import type { OperatorCounters, SubtaskDeployment, SubtaskSnapshot } from './deployment.js';
import type { RecordContext } from './record-context.js';
import type { KeyExtractor } from './record-key.js';
import { createKeyExtractor } from './record-key.js';
import { rescaleSinkState, rescaleSourcePosition } from './rescale-connectors.js';

/** Keyed state is packed with structured-clone fidelity: Maps, Sets, Dates and typed arrays survive. */
const statePackr = new Packr({ structuredClone: true });
const stateUnpackr = new Unpackr({ structuredClone: true });
type KeyGroupEntries = Parameters<KeyedStateBackend['restore']>[0];

/** Packs into fresh memory: msgpackr reuses its output buffer between calls. */
export function packState(value: unknown): Uint8Array {
  return new Uint8Array(statePackr.pack(value));
}

/** Unpacks what {@link packState} packed. */
export function unpackState<T>(bytes: Uint8Array): T {
  return stateUnpackr.unpack(bytes) as T;
}

/** An error thrown by a user function, tagged with the operator it came from. */
export class OperatorFailure extends Error {
  readonly operator: string;

  constructor(operator: string, cause: unknown) {
    super(`operator '${operator}' threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'OperatorFailure';
    this.operator = operator;
  }
}

function fail(operator: string, cause: unknown): never {
  throw cause instanceof OperatorFailure ? cause : new OperatorFailure(operator, cause);
}

/** One operator of a chain: it takes records and emits to the next. */
abstract class ChainedOperator implements Collector<unknown> {
  readonly name: string;
  recordsIn = 0;
  recordsOut = 0;
  /** The next operator, or the subtask's outputs. Operators emit with {@link emit}. */
  protected readonly next: Collector<unknown>;

  constructor(name: string, next: Collector<unknown>) {
    this.name = name;
    this.next = next;
  }

  /** Emits one record to the next operator, counting it. */
  protected emit(record: unknown): void {
    this.recordsOut++;
    this.next.collect(record);
  }

  /** A collector for user functions that emit any number of records (flatMap, process). */
  protected emitter(): Collector<unknown> {
    return { collect: (record) => this.emit(record) };
  }

  abstract collect(record: unknown): void;
  async open(): Promise<void> {}
  /** Every input has ended: emit what is left. */
  endInput(): void {}
  async close(): Promise<void> {}
}

class MapOperator extends ChainedOperator {
  constructor(name: string, next: Collector<unknown>, readonly fn: MapFunction<unknown, unknown>, readonly ctx: OperatorContext) {
    super(name, next);
  }
  collect(record: unknown): void {
    this.recordsIn++;
    let result: unknown;
    try {
      result = this.fn(record, this.ctx);
    } catch (error) {
      fail(this.name, error);
    }
    this.emit(result);
  }
}

class FilterOperator extends ChainedOperator {
  constructor(name: string, next: Collector<unknown>, readonly fn: FilterFunction<unknown>, readonly ctx: OperatorContext) {
    super(name, next);
  }
  collect(record: unknown): void {
    this.recordsIn++;
    let keep: boolean;
    try {
      keep = this.fn(record, this.ctx);
    } catch (error) {
      fail(this.name, error);
    }
    if (keep) this.emit(record);
  }
}

class FlatMapOperator extends ChainedOperator {
  readonly #out = this.emitter();

  constructor(name: string, next: Collector<unknown>, readonly fn: FlatMapFunction<unknown, unknown>, readonly ctx: OperatorContext) {
    super(name, next);
  }
  collect(record: unknown): void {
    this.recordsIn++;
    try {
      this.fn(record, this.#out, this.ctx);
    } catch (error) {
      fail(this.name, error);
    }
  }
}

/**
 * The context keyed functions see. State handles are cached per kind and name: functions ask
 * for them on every record (`ctx.valueState('count')`), so the lookup is one Map.get with the
 * caller's own string, never a string built per call.
 */
class KeyedOperatorContext implements KeyedContext {
  readonly #base: OperatorContext;
  readonly #backend: KeyedStateBackend;
  readonly #valueHandles = new Map<string, ValueState<unknown>>();
  readonly #listHandles = new Map<string, ListState<unknown>>();
  readonly #mapHandles = new Map<string, MapState<unknown, unknown>>();

  constructor(base: OperatorContext, backend: KeyedStateBackend) {
    this.#base = base;
    this.#backend = backend;
  }

  get operatorName() { return this.#base.operatorName; }
  get subtaskIndex() { return this.#base.subtaskIndex; }
  get parallelism() { return this.#base.parallelism; }
  get maxParallelism() { return this.#base.maxParallelism; }
  get jobId() { return this.#base.jobId; }
  get options() { return this.#base.options; }
  get currentKey(): Key { return this.#backend.currentKey; }

  valueState<T>(name: string): ValueState<T> {
    let handle = this.#valueHandles.get(name);
    if (!handle) this.#valueHandles.set(name, (handle = this.#backend.valueState<unknown>(name)));
    return handle as ValueState<T>;
  }
  listState<T>(name: string): ListState<T> {
    let handle = this.#listHandles.get(name);
    if (!handle) this.#listHandles.set(name, (handle = this.#backend.listState<unknown>(name)));
    return handle as ListState<T>;
  }
  mapState<K, V>(name: string): MapState<K, V> {
    let handle = this.#mapHandles.get(name);
    if (!handle) this.#mapHandles.set(name, (handle = this.#backend.mapState<unknown, unknown>(name)));
    return handle as MapState<K, V>;
  }
  forEachKey<T>(name: string, fn: (key: Key, value: T) => void): void {
    this.#backend.forEachKey(name, fn as (key: Key, value: unknown) => void);
  }
}

const REDUCE_STATE = '__reduce';

abstract class KeyedOperator extends ChainedOperator {
  readonly backend: KeyedStateBackend;
  readonly ctx: KeyedOperatorContext;
  readonly #key: KeyExtractor;
  readonly #record: RecordContext;

  constructor(name: string, next: Collector<unknown>, base: OperatorContext, key: KeyExtractor, record: RecordContext) {
    super(name, next);
    this.backend = new KeyedStateBackend(keyGroupRange(base.subtaskIndex, base.parallelism, base.maxParallelism), base.maxParallelism);
    this.ctx = new KeyedOperatorContext(base, this.backend);
    this.#key = key;
    this.#record = record;
  }

  /** Makes the record's key current: with the key group its producer computed when the channel carried it. */
  protected setKey(record: unknown): void {
    try {
      const keyGroup = this.#record.keyGroup;
      if (keyGroup >= 0) this.backend.setCurrentKeyInGroup(this.#key(record), keyGroup);
      else this.backend.setCurrentKey(this.#key(record));
    } catch (error) {
      fail(this.name, error);
    }
  }
}

class ReduceOperator extends KeyedOperator {
  readonly #state: ValueState<unknown>;

  constructor(name: string, next: Collector<unknown>, base: OperatorContext, key: KeyExtractor, record: RecordContext, readonly fn: ReduceFunction<unknown>) {
    super(name, next, base, key, record);
    this.#state = this.backend.valueState(REDUCE_STATE);
  }

  collect(record: unknown): void {
    this.recordsIn++;
    this.setKey(record);
    const accumulator = this.#state.value();
    let next: unknown;
    try {
      next = accumulator === undefined ? record : this.fn(accumulator, record, this.ctx);
    } catch (error) {
      fail(this.name, error);
    }
    this.#state.update(next);
    this.emit(next);
  }
}

class ProcessOperator extends KeyedOperator {
  readonly #out = this.emitter();

  constructor(name: string, next: Collector<unknown>, base: OperatorContext, key: KeyExtractor, record: RecordContext, readonly fn: ProcessFunction<unknown, unknown>) {
    super(name, next, base, key, record);
  }

  override async open(): Promise<void> {
    try {
      await this.fn.open?.(this.ctx);
    } catch (error) {
      fail(this.name, error);
    }
  }

  collect(record: unknown): void {
    this.recordsIn++;
    this.setKey(record);
    try {
      this.fn.processElement(record, this.ctx, this.#out);
    } catch (error) {
      fail(this.name, error);
    }
  }

  override endInput(): void {
    try {
      this.fn.onEnd?.(this.ctx, this.#out);
    } catch (error) {
      fail(this.name, error);
    }
  }

  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}

class SinkOperator extends ChainedOperator {
  readonly sink: SinkFunction<unknown>;
  readonly #context: RecordContext;
  readonly #ctx: SinkContext;
  #closed = false;
  /** Whether the sink holds records its destination has not taken (see SinkFunction.backpressured). */
  readonly backpressured: () => boolean;
  /** Passes on what the sink batched (see SinkFunction.flush). */
  readonly flush: () => void;

  constructor(name: string, sink: SinkFunction<unknown>, ctx: SinkContext, context: RecordContext) {
    super(name, { collect() {} });
    this.sink = sink;
    this.#ctx = ctx;
    this.#context = context;
    // Bound once: the input gate asks between every few records.
    this.backpressured = sink.backpressured ? () => this.#call(() => sink.backpressured!()) : () => false;
    this.flush = sink.flush ? () => this.#call(() => sink.flush!()) : () => {};
  }

  #call<R>(body: () => R): R {
    try {
      return body();
    } catch (error) {
      fail(this.name, error);
    }
  }

  restoredState: unknown;
  /** Set by a restore at another parallelism: the old subtasks' states this one takes over. */
  rescaledState: SubtaskSnapshot['operators'][number]['rescaledSink'];
  /** The checkpoint this attempt restored from, if any: output committed after it is rolled back before open. */
  restoredCheckpointId: number | undefined;
  /** What the sink's rollback set aside or removed, for the job's log. */
  rolledBack: string[] = [];

  override async open(): Promise<void> {
    try {
      if (this.restoredCheckpointId !== undefined && this.sink.rollback) {
        // Each restored state rolls back the output of the subtask that wrote it: after a restore
        // at another parallelism, that of every old subtask whose state this one takes over.
        const rescaled = this.rescaledState;
        const owners = rescaled
          ? rescaled.states
              .filter(({ state }) => state !== undefined)
              .map(({ subtask, state }) => ({ ctx: { ...this.#ctx, subtaskIndex: subtask, parallelism: rescaled.previousParallelism }, state }))
          : [{ ctx: this.#ctx, state: this.restoredState }];
        for (const owner of owners) {
          this.rolledBack.push(...((await this.sink.rollback(owner.ctx, owner.state, this.restoredCheckpointId)) ?? []));
        }
      }
      if (this.rescaledState) this.restoredState = rescaleSinkState(this.name, this.sink, this.#ctx, this.rescaledState);
      await this.sink.open?.(this.#ctx, this.restoredState);
    } catch (error) {
      fail(this.name, error);
    }
  }

  async snapshotState(checkpointId: number): Promise<unknown> {
    try {
      return await this.sink.snapshotState?.(checkpointId);
    } catch (error) {
      fail(this.name, error);
    }
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    try {
      await this.sink.notifyCheckpointComplete?.(checkpointId);
    } catch (error) {
      fail(this.name, error);
    }
  }

  collect(record: unknown): void {
    this.recordsIn++;
    try {
      this.sink.write(record, this.#context.ingestNanos);
    } catch (error) {
      fail(this.name, error);
    }
  }

  async finish(): Promise<unknown> {
    try {
      return await this.sink.finish?.();
    } catch (error) {
      fail(this.name, error);
    }
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.sink.close?.();
  }
}

/** The source at the head of a chain. */
export class SourceHead {
  readonly name: string;
  readonly source: SourceFunction<unknown>;
  readonly ctx: SourceContext;
  /** Emits into the rest of the chain, counting. */
  readonly out: Collector<unknown>;
  recordsOut = 0;
  #closed = false;

  constructor(name: string, source: SourceFunction<unknown>, ctx: SourceContext, next: Collector<unknown>) {
    this.name = name;
    this.source = source;
    this.ctx = ctx;
    this.out = { collect: (record: unknown) => { this.recordsOut++; next.collect(record); } };
  }

  async open(restoredPosition: unknown, rescaled?: SubtaskSnapshot['rescaledSource']): Promise<void> {
    try {
      if (rescaled) restoredPosition = rescaleSourcePosition(this.name, this.source, this.ctx, rescaled);
      await this.source.open(this.ctx, restoredPosition);
    } catch (error) {
      fail(this.name, error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.source.close?.();
  }
}

/**
 * The operators of one subtask, wired head to tail. Records enter at {@link input} (or are
 * emitted by the {@link source}); the tail emits into the subtask's outputs.
 */
export class OperatorChain {
  /** Whether {@link endInput} ran, in this attempt or before the restored checkpoint. */
  #inputEnded = false;
  /** Where input records enter (the first non-source operator). */
  readonly input: Collector<unknown>;
  readonly source: SourceHead | undefined;
  readonly sink: SinkOperator | undefined;
  readonly #operators: ChainedOperator[];
  /** Each operator's uid by name, head first: snapshots record them so restore matches state by uid. */
  readonly #uids: ReadonlyMap<string, string>;

  private constructor(
    input: Collector<unknown>,
    operators: ChainedOperator[],
    source: SourceHead | undefined,
    sink: SinkOperator | undefined,
    uids: ReadonlyMap<string, string>,
  ) {
    this.input = input;
    this.#operators = operators;
    this.#uids = uids;
    this.source = source;
    this.sink = sink;
  }

  /** Loads the chain's functions (in the worker) and wires the operators. */
  static async create(
    deployment: SubtaskDeployment,
    tail: Collector<unknown>,
    context: RecordContext,
    wakeup: () => void,
  ): Promise<OperatorChain> {
    const contextOf = (operator: PlannedOperator): OperatorContext => ({
      operatorName: operator.name,
      subtaskIndex: deployment.subtaskIndex,
      parallelism: deployment.parallelism,
      maxParallelism: deployment.maxParallelism,
      jobId: deployment.jobId,
      options: operator.options,
    });
    const planned = deployment.operators;
    const operators: ChainedOperator[] = [];
    let next: Collector<unknown> = tail;
    let sink: SinkOperator | undefined;
    // Built tail first, so each operator knows the next.
    for (let index = planned.length - 1; index >= 0; index--) {
      const operator = planned[index]!;
      if (operator.kind === 'source') break;
      const ctx = contextOf(operator);
      const fn = operator.fn;
      const load = <T>() => loadFunction<T>(fn!, operator.name);
      const key = async () => createKeyExtractor(operator.key!, operator.name);
      let built: ChainedOperator;
      switch (operator.kind) {
        case 'map':
          built = new MapOperator(operator.name, next, await load<MapFunction<unknown, unknown>>(), ctx);
          break;
        case 'filter':
          built = new FilterOperator(operator.name, next, await load<FilterFunction<unknown>>(), ctx);
          break;
        case 'flatMap':
          built = new FlatMapOperator(operator.name, next, await load<FlatMapFunction<unknown, unknown>>(), ctx);
          break;
        case 'reduce':
          built = new ReduceOperator(operator.name, next, ctx, await key(), context, await load<ReduceFunction<unknown>>());
          break;
        case 'process':
          built = new ProcessOperator(operator.name, next, ctx, await key(), context, await load<ProcessFunction<unknown, unknown>>());
          break;
        case 'sink': {
          const factory = await load<SinkFactory<unknown>>();
          built = sink = new SinkOperator(operator.name, factory(operator.options), { ...ctx, wakeup }, context);
          break;
        }
        case 'union':
          throw new Error(`operator '${operator.name}': union nodes are removed by the planner`);
        default:
          assertNever(operator.kind);
      }
      operators.unshift(built);
      next = built;
    }
    let source: SourceHead | undefined;
    const head = planned[0]!;
    if (head.kind === 'source') {
      const factory = await loadFunction<SourceFactory<unknown>>(head.fn!, head.name);
      const ctx: SourceContext = { ...contextOf(head), wakeup, deadLetters: { count: 0 } };
      source = new SourceHead(head.name, factory(head.options), ctx, next);
    }
    return new OperatorChain(next, operators, source, sink, new Map(planned.map((operator) => [operator.name, operator.uid])));
  }

  /** Opens every operator, restoring state and the source's position from `restored`. */
  async open(restored?: SubtaskSnapshot, restoredCheckpointId?: number): Promise<void> {
    for (const operator of this.#operators) {
      const uid = this.#uids.get(operator.name);
      const saved = restored?.operators.find((entry) => (entry.uid !== undefined && entry.uid === uid) || (entry.uid === undefined && entry.name === operator.name));
      if (saved?.keyed && operator instanceof KeyedOperator) operator.backend.restore(unpackState<KeyGroupEntries>(saved.keyed));
      if (operator instanceof SinkOperator) {
        operator.restoredState = saved?.sink;
        operator.rescaledState = saved?.rescaledSink;
        operator.restoredCheckpointId = restoredCheckpointId;
      }
      await operator.open();
    }
    await this.source?.open(restored?.source, restored?.rescaledSource);
    if (restored?.inputEnded) this.#inputEnded = true;
  }

  /**
   * The synchronous phase of a snapshot: keyed state is packed at once (a consistent copy),
   * the source's position read, and sinks pre-commit; the promise settles when their
   * pre-commits are durable.
   */
  snapshotState(checkpointId: number): Promise<SubtaskSnapshot> {
    const operators: Array<Promise<SubtaskSnapshot['operators'][number]>> = [];
    for (const operator of this.#operators) {
      if (operator instanceof KeyedOperator) {
        operators.push(Promise.resolve({ name: operator.name, uid: this.#uids.get(operator.name), keyed: packState(operator.backend.snapshot()) }));
      } else if (operator instanceof SinkOperator) {
        operators.push(operator.snapshotState(checkpointId).then((sink) => ({ name: operator.name, uid: this.#uids.get(operator.name), sink })));
      }
    }
    const source = this.source?.source.position(checkpointId);
    const chain = [...this.#uids.values()];
    const inputEnded = this.#inputEnded;
    return Promise.all(operators).then((done) => ({ source, chain, operators: done, ...(inputEnded ? { inputEnded } : {}) }));
  }

  /** Checkpoint `checkpointId` completed: sinks commit. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.sink?.notifyCheckpointComplete(checkpointId);
  }

  /**
   * Every input has ended: lets each operator, head first, emit what it holds. Once per job,
   * across restores: a snapshot taken after it says so, and the restored chain does not emit again.
   */
  endInput(): void {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    for (const operator of this.#operators) operator.endInput();
  }

  /** Closes everything; errors in close are collected, the first is thrown after all ran. */
  async close(): Promise<void> {
    let first: unknown;
    const closers: Array<{ close(): Promise<void> }> = [...(this.source ? [this.source] : []), ...this.#operators];
    for (const closer of closers) {
      try {
        await closer.close();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  /** Records in and out per operator, source first. */
  counters(): OperatorCounters[] {
    const counters: OperatorCounters[] = [];
    if (this.source) counters.push({ name: this.source.name, recordsIn: this.source.recordsOut, recordsOut: this.source.recordsOut });
    for (const operator of this.#operators) {
      counters.push({ name: operator.name, recordsIn: operator.recordsIn, recordsOut: operator.recordsOut });
    }
    return counters;
  }
}
