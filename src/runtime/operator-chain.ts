import type { Collector, Key, KeyedContext, ListState, MapState, OperatorContext, TimeDomain, TimerContext, TimerService, ValueState } from '../api/context.js';
import type { AggregateFunction, ProcessWindowFunction, TimeWindow } from '../api/windows.js';
import { reducing } from '../api/windows.js';
import type { TimestampAssigner } from '../api/event-time.js';
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
import { KeyedTimers } from '../state/timers.js';
import type { KeyGroupTimers, Timer } from '../state/timers.js';
import { WindowOperator } from './window-operator.js';
import { NO_WATERMARK, WatermarkGenerator, generatorStrategy } from './watermarks.js';
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
  /** Fires at most `budget` event-time timers due at `watermark`; true when more are due. */
  fireEventTimers(_watermark: number, _budget: number): boolean {
    return false;
  }
  /** Fires at most `budget` processing-time timers due at `nowMs`; true when more are due. */
  fireProcessingTimers(_nowMs: number, _budget: number): boolean {
    return false;
  }
  /** The earliest processing-time timer (Infinity: none). */
  nextProcessingTime(): number {
    return Infinity;
  }
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
class KeyedOperatorContext implements KeyedContext, TimerContext {
  readonly #base: OperatorContext;
  readonly #backend: KeyedStateBackend;
  readonly #record: RecordContext;
  readonly #valueHandles = new Map<string, ValueState<unknown>>();
  readonly #listHandles = new Map<string, ListState<unknown>>();
  readonly #mapHandles = new Map<string, MapState<unknown, unknown>>();
  readonly timers: TimerService;
  /** The clock of the timer firing (meaningful in onTimer only). */
  timeDomain: TimeDomain = 'event-time';

  constructor(base: OperatorContext, backend: KeyedStateBackend, record: RecordContext, timers: TimerService) {
    this.#base = base;
    this.#backend = backend;
    this.#record = record;
    this.timers = timers;
  }

  get timestamp(): number { return this.#record.eventTime; }

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
/** Keyed timers in a snapshot: a state of their own in each key group (per key, `[time, domain]` pairs), so rescaling moves them with their key group. */
const TIMERS_STATE = '\u0000timers';
/** Window contents in a snapshot: per key, `[start, end, accumulator]` triples. */
const WINDOWS_STATE = '\u0000windows';
/** Timer domains in a snapshot. */
const EVENT_TIME = 0;
const PROCESSING_TIME = 1;

type SnapshotGroups = Array<[number, Array<[string, Array<[Key, unknown]>]>]>;

/** Adds `timers` to `groups` (both sorted by key group) as the {@link TIMERS_STATE} of each key group. */
function withTimers(groups: SnapshotGroups, timers: readonly KeyGroupTimers[]): SnapshotGroups {
  if (timers.length === 0) return groups;
  const byGroup = new Map(groups.map((group) => [group[0], group[1]]));
  for (const { keyGroup, timers: list } of timers) {
    const perKey = new Map<Key, Array<[number, number]>>();
    for (const timer of list) {
      let times = perKey.get(timer.key);
      if (times === undefined) perKey.set(timer.key, (times = []));
      times.push([timer.time, timer.domain === 'event-time' ? EVENT_TIME : PROCESSING_TIME]);
    }
    let states = byGroup.get(keyGroup);
    if (states === undefined) byGroup.set(keyGroup, (states = []));
    states.push([TIMERS_STATE, [...perKey]]);
  }
  return [...byGroup].sort((a, b) => a[0] - b[0]);
}

/** Takes the {@link TIMERS_STATE} (and any `special` state) out of restored key groups. */
function splitTimers(groups: KeyGroupEntries, special?: string): { rest: KeyGroupEntries; timers: KeyGroupTimers[]; specials: Array<[number, ReadonlyArray<readonly [unknown, unknown]>]> } {
  const rest: Array<[number, Array<readonly [string, ReadonlyArray<readonly [unknown, unknown]>]>]> = [];
  const timers: KeyGroupTimers[] = [];
  const specials: Array<[number, ReadonlyArray<readonly [unknown, unknown]>]> = [];
  for (const [group, states] of groups) {
    const kept: Array<readonly [string, ReadonlyArray<readonly [unknown, unknown]>]> = [];
    for (const state of states) {
      if (state[0] === TIMERS_STATE) {
        const list: Timer[] = [];
        for (const [key, times] of state[1]) {
          for (const [time, domain] of times as Array<[number, number]>) list.push({ key: key as Key, time, domain: domain === EVENT_TIME ? 'event-time' : 'processing-time' });
        }
        timers.push({ keyGroup: group, timers: list });
      } else if (state[0] === special) {
        specials.push([group, state[1]]);
      } else {
        kept.push(state);
      }
    }
    if (kept.length > 0) rest.push([group, kept]);
  }
  return { rest, timers, specials };
}

/** Event-time timers fired per step before checkpoint announcements are polled again. */
export const TIMER_FIRINGS_PER_STEP = 256;

abstract class KeyedOperator extends ChainedOperator {
  readonly backend: KeyedStateBackend;
  readonly timers: KeyedTimers;
  readonly ctx: KeyedOperatorContext;
  readonly #key: KeyExtractor;
  protected readonly record: RecordContext;
  /** The watermark this operator's event-time timers have been fired up to. */
  protected watermark = NO_WATERMARK;
  readonly #fireTimer = (timer: Timer): void => this.#onTimer(timer);

  constructor(name: string, next: Collector<unknown>, base: OperatorContext, key: KeyExtractor, record: RecordContext) {
    super(name, next);
    const range = keyGroupRange(base.subtaskIndex, base.parallelism, base.maxParallelism);
    this.backend = new KeyedStateBackend(range, base.maxParallelism);
    this.timers = new KeyedTimers(range, base.maxParallelism);
    const service = this.timers.serviceFor(() => this.backend.currentKey, () => this.watermark);
    this.ctx = new KeyedOperatorContext(base, this.backend, record, this.checkTimers(service));
    this.#key = key;
    this.record = record;
  }

  /** The timer service user functions get; an operator that cannot fire timers refuses registrations. */
  protected checkTimers(service: TimerService): TimerService {
    return service;
  }

  /** A timer fired, its key current and its time the record context's event time (event-time timers). */
  protected onTimer(_timer: Timer): void {}

  #onTimer(timer: Timer): void {
    try {
      this.backend.setCurrentKey(timer.key);
    } catch (error) {
      fail(this.name, error);
    }
    if (timer.domain === 'event-time') this.record.eventTime = timer.time;
    this.ctx.timeDomain = timer.domain;
    this.onTimer(timer);
  }

  override fireEventTimers(watermark: number, budget: number): boolean {
    if (watermark > this.watermark) this.watermark = watermark;
    return this.timers.fireDue('event-time', this.watermark, budget, this.#fireTimer);
  }

  override fireProcessingTimers(nowMs: number, budget: number): boolean {
    return this.timers.fireDue('processing-time', nowMs, budget, this.#fireTimer);
  }

  override nextProcessingTime(): number {
    return this.timers.nextTime('processing-time');
  }

  /** Keyed state and timers per key group, packed now (a consistent copy). */
  snapshotKeyed(): Uint8Array {
    return packState(withTimers(this.backend.snapshot(), this.timers.snapshot()));
  }

  /** Restores keyed state and timers from a snapshot's key groups. */
  restoreKeyed(groups: KeyGroupEntries): void {
    const { rest, timers } = splitTimers(groups);
    this.backend.restore(rest);
    this.timers.restore(timers);
  }

  /** Makes the record's key current: with the key group its producer computed when the channel carried it. */
  protected setKey(record: unknown): void {
    try {
      const keyGroup = this.record.keyGroup;
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

  protected override checkTimers(service: TimerService): TimerService {
    // `this.fn` is not set yet here (field initialisers run after super): look it up at the call.
    const refuse = (): void => {
      if (typeof this.fn.onTimer !== 'function') {
        throw new TypeError(`process function of operator '${this.name}' registers a timer but has no onTimer(timestamp, ctx, out) method to call when it fires`);
      }
    };
    return {
      currentWatermark: service.currentWatermark,
      currentProcessingTime: service.currentProcessingTime,
      registerEventTime: (time) => (refuse(), service.registerEventTime(time)),
      registerProcessingTime: (time) => (refuse(), service.registerProcessingTime(time)),
      deleteEventTime: service.deleteEventTime,
      deleteProcessingTime: service.deleteProcessingTime,
    };
  }

  protected override onTimer(timer: Timer): void {
    try {
      this.fn.onTimer!(timer.time, this.ctx, this.#out);
    } catch (error) {
      fail(this.name, error);
    }
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

/** What a window operator of a chain is built from. */
interface WindowSettings {
  readonly assigner: import('../api/windows.js').WindowAssigner;
  readonly allowedLatenessMs: number;
  readonly combine: 'reduce' | 'aggregate' | 'collect';
  /** The reduce or aggregate function (unused for `collect`). */
  readonly fn: unknown;
  readonly windowFunction: ProcessWindowFunction<unknown, unknown> | undefined;
  readonly emitLate: boolean;
}

/** The aggregate of `process` windows: the window's records, in arrival order. */
const COLLECT_RECORDS: AggregateFunction<unknown, unknown[], unknown[]> = {
  createAccumulator: () => [],
  add: (accumulator, record) => {
    accumulator.push(record);
    return accumulator;
  },
  getResult: (accumulator) => accumulator,
  merge: (a, b) => a.concat(b),
};

/**
 * Windows on a keyed stream (see window-operator.ts): records go to their windows by event
 * time, a window fires when the watermark passes its end. A fired window's output carries the
 * window's last timestamp as event time. Late records go out wrapped as `LateRecord`s when the
 * job reads them (`lateRecords()`), else they are dropped and counted.
 */
class WindowChainOperator extends KeyedOperator {
  readonly #windows: WindowOperator<unknown, unknown, unknown, unknown>;

  constructor(name: string, next: Collector<unknown>, base: OperatorContext, key: KeyExtractor, record: RecordContext, settings: WindowSettings) {
    super(name, next, base, key, record);
    const windowFunction = settings.windowFunction;
    const range = keyGroupRange(base.subtaskIndex, base.parallelism, base.maxParallelism);
    this.#windows = new WindowOperator({
      spec: {
        assigner: settings.assigner,
        timestampOf: () => {
          const t = record.eventTime;
          if (Number.isNaN(t)) {
            throw new TypeError(
              `window operator '${name}' got a record without an event time: give its source a watermark strategy ` +
                '(pipeline.source(spec, { watermarks: boundedOutOfOrderness({ timestamp, maxOutOfOrdernessMs }) }))',
            );
          }
          return t;
        },
        aggregate: this.#aggregate(settings),
        process: (windowKey: Key, window: TimeWindow, result: unknown) => {
          record.eventTime = window.end - 1;
          return windowFunction ? windowFunction(windowKey, window, result) : [result];
        },
        allowedLatenessMs: settings.allowedLatenessMs,
        ...(settings.emitLate ? { lateRecords: { id: 'late' } } : {}),
      },
      keyOf: key,
      range,
      maxParallelism: base.maxParallelism,
      output: {
        emit: (out) => this.emit(out),
        late: (_tag, late) => this.emit({ __sluiceLate: late }),
      },
    });
  }

  #aggregate(settings: WindowSettings): AggregateFunction<unknown, unknown, unknown> {
    switch (settings.combine) {
      case 'reduce': {
        const reduce = settings.fn as ReduceFunction<unknown>;
        return reducing((a: unknown, b: unknown) => reduce(a, b, this.ctx)) as AggregateFunction<unknown, unknown, unknown>;
      }
      case 'aggregate':
        return settings.fn as AggregateFunction<unknown, unknown, unknown>;
      case 'collect':
        return COLLECT_RECORDS as AggregateFunction<unknown, unknown, unknown>;
      default:
        return assertNever(settings.combine);
    }
  }

  /** Late records dropped (the job does not read them). */
  get lateRecordsDropped(): number {
    return this.#windows.lateRecordsDropped;
  }

  collect(record: unknown): void {
    this.recordsIn++;
    try {
      this.#windows.processRecord(record);
    } catch (error) {
      fail(this.name, error);
    }
  }

  override fireEventTimers(watermark: number, budget: number): boolean {
    if (watermark > this.watermark) this.watermark = watermark;
    try {
      return this.#windows.advanceWatermark(this.watermark, budget);
    } catch (error) {
      fail(this.name, error);
    }
  }

  override snapshotKeyed(): Uint8Array {
    const snapshot = this.#windows.snapshot();
    const groups: SnapshotGroups = snapshot.windows.map(({ keyGroup, windows }) => {
      const perKey = new Map<Key, Array<[number, number, unknown]>>();
      for (const w of windows) {
        let list = perKey.get(w.key);
        if (list === undefined) perKey.set(w.key, (list = []));
        list.push([w.start, w.end, w.accumulator]);
      }
      return [keyGroup, [[WINDOWS_STATE, [...perKey]]]];
    });
    return packState(withTimers(groups, snapshot.timers));
  }

  override restoreKeyed(groups: KeyGroupEntries): void {
    const { timers, specials } = splitTimers(groups, WINDOWS_STATE);
    const windows = specials.map(([keyGroup, entries]) => ({
      keyGroup,
      windows: entries.flatMap(([key, list]) =>
        (list as Array<[number, number, unknown]>).map(([start, end, accumulator]) => ({ key: key as Key, start, end, accumulator })),
      ),
    }));
    this.#windows.restore([{ watermark: NO_WATERMARK, windows, timers }]);
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
  /** Emits into the rest of the chain, counting (and, with a watermark strategy, stamping each record's event time). */
  readonly out: Collector<unknown>;
  /** The source's watermark generator, when it has a watermark strategy. */
  readonly watermarks: WatermarkGenerator<unknown> | undefined;
  /** Wall-clock time of the current poll (idleness is measured per poll, not per record). */
  pollNowMs = 0;
  recordsOut = 0;
  #closed = false;

  constructor(
    name: string,
    source: SourceFunction<unknown>,
    ctx: SourceContext,
    next: Collector<unknown>,
    context: RecordContext,
    timestampOf?: TimestampAssigner<unknown>,
    watermarks?: { maxOutOfOrdernessMs: number; idleTimeoutMs: number | undefined },
  ) {
    this.name = name;
    this.source = source;
    this.ctx = ctx;
    if (timestampOf && watermarks) {
      const generator = new WatermarkGenerator(
        generatorStrategy(timestampOf, watermarks.maxOutOfOrdernessMs, watermarks.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: watermarks.idleTimeoutMs }),
        Date.now(),
      );
      this.watermarks = generator;
      this.out = {
        collect: (record: unknown) => {
          this.recordsOut++;
          context.eventTime = generator.onRecord(record, this.pollNowMs);
          next.collect(record);
        },
      };
    } else {
      this.watermarks = undefined;
      this.out = { collect: (record: unknown) => { this.recordsOut++; next.collect(record); } };
    }
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
        case 'window': {
          const window = operator.window!;
          const combineFn = window.combine === 'collect' ? undefined : await load<unknown>();
          const windowFunction = window.windowFunction ? await loadFunction<ProcessWindowFunction<unknown, unknown>>(window.windowFunction, operator.name) : undefined;
          built = new WindowChainOperator(operator.name, next, ctx, await key(), context, {
            assigner: window.assigner,
            allowedLatenessMs: window.allowedLatenessMs,
            combine: window.combine,
            fn: combineFn,
            windowFunction,
            emitLate: window.emitLate,
          });
          break;
        }
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
      const timestampOf = head.watermarks ? await loadFunction<TimestampAssigner<unknown>>(head.watermarks.timestamp, head.name) : undefined;
      source = new SourceHead(head.name, factory(head.options), ctx, next, context, timestampOf, head.watermarks);
    }
    return new OperatorChain(next, operators, source, sink, new Map(planned.map((operator) => [operator.name, operator.uid])));
  }

  /** Opens every operator, restoring state and the source's position from `restored`. */
  async open(restored?: SubtaskSnapshot, restoredCheckpointId?: number): Promise<void> {
    for (const operator of this.#operators) {
      const uid = this.#uids.get(operator.name);
      const saved = restored?.operators.find((entry) => (entry.uid !== undefined && entry.uid === uid) || (entry.uid === undefined && entry.name === operator.name));
      if (saved?.keyed && operator instanceof KeyedOperator) operator.restoreKeyed(unpackState<KeyGroupEntries>(saved.keyed));
      if (operator instanceof SinkOperator) {
        operator.restoredState = saved?.sink;
        operator.rescaledState = saved?.rescaledSink;
        operator.restoredCheckpointId = restoredCheckpointId;
      }
      await operator.open();
    }
    await this.source?.open(restored?.source, restored?.rescaledSource);
    if (restored?.inputEnded) this.#inputEnded = true;
    if (restored?.watermark !== undefined) {
      this.watermark = restored.watermark;
      this.source?.watermarks?.restore(restored.watermark);
    }
  }

  /**
   * The subtask's event-time watermark, kept by its event-time driver and stored with each
   * snapshot; undefined in jobs without event time.
   */
  watermark: number | undefined;
  /** Which keyed operator the event-time timers fire at, between bounded steps, and for which watermark. */
  #timerOperator = 0;
  #timerWatermark = -Infinity;

  /**
   * Fires the event-time timers due at `watermark`, operator by operator head first (what an
   * operator's timers emit reaches the next operator before that one's timers fire), at most
   * `budget` per call; true when some remain due (call again, after polling announcements).
   */
  fireEventTimers(watermark: number, budget: number): boolean {
    // A newer watermark before the last one's timers all fired: every operator fires up to it.
    if (watermark !== this.#timerWatermark) {
      this.#timerWatermark = watermark;
      this.#timerOperator = 0;
    }
    const operators = this.#operators;
    while (this.#timerOperator < operators.length) {
      if (operators[this.#timerOperator]!.fireEventTimers(watermark, budget)) return true;
      this.#timerOperator++;
    }
    this.#timerOperator = 0;
    return false;
  }

  /** Fires processing-time timers due at `nowMs`, at most `budget` per operator; true when some remain due. */
  fireProcessingTimers(nowMs: number, budget: number): boolean {
    let more = false;
    for (const operator of this.#operators) if (operator.fireProcessingTimers(nowMs, budget)) more = true;
    return more;
  }

  /** The earliest processing-time timer of the chain (Infinity: none). */
  nextProcessingTime(): number {
    let next = Infinity;
    for (const operator of this.#operators) next = Math.min(next, operator.nextProcessingTime());
    return next;
  }

  /**
   * The synchronous phase of a snapshot: keyed state is packed at once (a consistent copy),
   * the source's position read, and sinks pre-commit; the promise settles when their
   * pre-commits are durable. `withWatermark`: the snapshot keeps the subtask's watermark (false when
   * the watermark may be ahead of what a restore replays: see SubtaskCheckpointer.takeSnapshot).
   */
  snapshotState(checkpointId: number, withWatermark = true): Promise<SubtaskSnapshot> {
    const operators: Array<Promise<SubtaskSnapshot['operators'][number]>> = [];
    for (const operator of this.#operators) {
      if (operator instanceof KeyedOperator) {
        operators.push(Promise.resolve({ name: operator.name, uid: this.#uids.get(operator.name), keyed: operator.snapshotKeyed() }));
      } else if (operator instanceof SinkOperator) {
        operators.push(operator.snapshotState(checkpointId).then((sink) => ({ name: operator.name, uid: this.#uids.get(operator.name), sink })));
      }
    }
    const source = this.source?.source.position(checkpointId);
    const chain = [...this.#uids.values()];
    const inputEnded = this.#inputEnded;
    const watermark = withWatermark ? this.watermark : undefined;
    return Promise.all(operators).then((done) => ({
      source,
      chain,
      operators: done,
      ...(inputEnded ? { inputEnded } : {}),
      ...(watermark !== undefined ? { watermark } : {}),
    }));
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
