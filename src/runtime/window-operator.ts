/**
 * The window operator of one keyed subtask: assigns each record to windows of its key,
 * aggregates incrementally, and fires a window when the watermark passes its end (an
 * event-time timer at the window's last timestamp); the window's state is purged once the
 * watermark passes its end plus the allowed lateness. A record later than that goes to the
 * late side output. Window contents and timers are snapshotted per key group.
 */
import type { Key } from '../api/context.js';
import {
  assignWindows,
  maxTimestampOf,
  type TimeWindow,
  type WindowSpec,
} from '../api/windows.js';
import { keyGroupOf, type KeyGroupRange } from '../state/key-groups.js';
import { KeyedTimers, type KeyGroupTimers, type Timer } from '../state/timers.js';
import { NO_WATERMARK } from './watermarks.js';

interface WindowState<Acc> {
  start: number;
  end: number;
  accumulator: Acc;
}

/** Window contents of one key group in a snapshot. */
export interface KeyGroupWindows<Acc> {
  readonly keyGroup: number;
  readonly windows: readonly { readonly key: Key; readonly start: number; readonly end: number; readonly accumulator: Acc }[];
}

/** A window operator snapshot: watermark, window contents and timers, per key group. */
export interface WindowOperatorSnapshot<Acc> {
  readonly watermark: number;
  readonly windows: readonly KeyGroupWindows<Acc>[];
  readonly timers: readonly KeyGroupTimers[];
}

/** Where a window operator's output goes. */
export interface WindowOutput<T, Out> {
  emit(record: Out): void;
  /** A record too late for its windows; `tagId` is the spec's `lateRecords` tag. */
  late(tagId: string, record: T): void;
}

/**
 * A window's id among its key's windows: its start for tumbling and sliding windows (their size is
 * fixed, so the start decides the window; a number costs no allocation per record), start and end
 * for sessions, whose ends vary.
 */
type WindowId = number | string;
const sessionId = (w: { start: number; end: number }): string => `${w.start}:${w.end}`;

/** One keyed subtask's windows. */
export class WindowOperator<T, Acc, R, Out> {
  readonly #spec: WindowSpec<T, Acc, R, Out>;
  readonly #allowedLatenessMs: number;
  readonly #range: KeyGroupRange;
  readonly #maxParallelism: number;
  readonly #keyOf: (record: T) => Key;
  readonly #output: WindowOutput<T, Out>;
  readonly #timers: KeyedTimers;
  readonly #windows = new Map<Key, Map<WindowId, WindowState<Acc>>>();
  readonly #sessions: boolean;
  #watermark = NO_WATERMARK;
  #lateRecordsDropped = 0;

  constructor(options: {
    spec: WindowSpec<T, Acc, R, Out>;
    keyOf: (record: T) => Key;
    range: KeyGroupRange;
    maxParallelism: number;
    output: WindowOutput<T, Out>;
  }) {
    this.#spec = options.spec;
    const lateness = options.spec.allowedLatenessMs ?? 0;
    if (!Number.isFinite(lateness) || lateness < 0) throw new RangeError(`allowedLatenessMs must be >= 0, got ${lateness}`);
    this.#allowedLatenessMs = lateness;
    this.#keyOf = options.keyOf;
    this.#range = options.range;
    this.#maxParallelism = options.maxParallelism;
    this.#output = options.output;
    this.#timers = new KeyedTimers(options.range, options.maxParallelism);
    this.#sessions = options.spec.assigner.kind === 'session';
  }

  #id(w: { start: number; end: number }): WindowId {
    return this.#sessions ? sessionId(w) : w.start;
  }

  /** The operator's current watermark. */
  get watermark(): number {
    return this.#watermark;
  }

  /** Late records this instance dropped because the spec names no side output (a metric: not in snapshots, which are per key group). */
  get lateRecordsDropped(): number {
    return this.#lateRecordsDropped;
  }

  /** Windows holding state, over all keys. */
  get openWindowCount(): number {
    let n = 0;
    for (const m of this.#windows.values()) n += m.size;
    return n;
  }

  /** Adds a record to its windows, or routes it to the late output. */
  processRecord(record: T): void {
    const key = this.#keyOf(record);
    const t = this.#spec.timestampOf(record);
    const assigner = this.#spec.assigner;
    if (assigner.kind === 'tumbling') {
      this.#processTumbling(record, key, t, assigner.sizeMs, assigner.offsetMs);
      return;
    }
    let windows = assignWindows(this.#spec.assigner, t).filter((w) => !this.#isExpired(w));
    if (windows.length === 0) return this.#late(record);
    let perKey = this.#windows.get(key);
    if (perKey === undefined) this.#windows.set(key, (perKey = new Map()));
    if (this.#spec.assigner.kind === 'session') windows = [this.#mergeSession(key, perKey, windows[0]!)];
    const aggregate = this.#spec.aggregate;
    for (const w of windows) {
      const id = this.#id(w);
      let state = perKey.get(id);
      if (state === undefined) {
        state = { start: w.start, end: w.end, accumulator: aggregate.createAccumulator() };
        perKey.set(id, state);
        this.#registerTimers(key, w);
      }
      state.accumulator = aggregate.add(state.accumulator, record);
      // Within allowed lateness, after the window already fired: fire again with the update.
      if (maxTimestampOf(w) <= this.#watermark) this.#fire(key, state);
    }
  }

  /** A record too late for every window it belongs to: to the late-records stream, or counted as dropped. */
  #late(record: T): void {
    const tag = this.#spec.lateRecords;
    if (tag === undefined) this.#lateRecordsDropped++;
    else this.#output.late(tag.id, record);
  }

  /** {@link processRecord} for tumbling windows: one window per record, found without allocating. */
  #processTumbling(record: T, key: Key, t: number, sizeMs: number, offsetMs: number): void {
    const rem = (t - offsetMs) % sizeMs;
    const start = t - (rem < 0 ? rem + sizeMs : rem);
    const end = start + sizeMs;
    if (end - 1 + this.#allowedLatenessMs <= this.#watermark) return this.#late(record);
    let perKey = this.#windows.get(key);
    if (perKey === undefined) this.#windows.set(key, (perKey = new Map()));
    let state = perKey.get(start);
    if (state === undefined) {
      state = { start, end, accumulator: this.#spec.aggregate.createAccumulator() };
      perKey.set(start, state);
      this.#registerTimers(key, state);
    }
    state.accumulator = this.#spec.aggregate.add(state.accumulator, record);
    // Within allowed lateness, after the window already fired: fire again with the update.
    if (end - 1 <= this.#watermark) this.#fire(key, state);
  }

  /**
   * The watermark advanced: fires at most `maxFirings` due timers. Returns true when more are
   * due; the subtask polls checkpoint announcements and calls `fireDue` again.
   */
  advanceWatermark(watermark: number, maxFirings: number): boolean {
    if (watermark > this.#watermark) this.#watermark = watermark;
    return this.fireDue(maxFirings);
  }

  /** Continues firing timers due at the current watermark, in a bounded step. */
  fireDue(maxFirings: number): boolean {
    return this.#timers.fireDue('event-time', this.#watermark, maxFirings, (timer) => this.#onTimer(timer));
  }

  #isExpired(w: TimeWindow): boolean {
    return maxTimestampOf(w) + this.#allowedLatenessMs <= this.#watermark;
  }

  #registerTimers(key: Key, w: TimeWindow): void {
    this.#timers.register(key, maxTimestampOf(w), 'event-time');
    if (this.#allowedLatenessMs > 0) this.#timers.register(key, maxTimestampOf(w) + this.#allowedLatenessMs, 'event-time');
  }

  #deleteTimers(key: Key, w: TimeWindow): void {
    this.#timers.delete(key, maxTimestampOf(w), 'event-time');
    if (this.#allowedLatenessMs > 0) this.#timers.delete(key, maxTimestampOf(w) + this.#allowedLatenessMs, 'event-time');
  }

  #mergeSession(key: Key, perKey: Map<WindowId, WindowState<Acc>>, w: TimeWindow): TimeWindow {
    let start = w.start;
    let end = w.end;
    const overlapping: WindowState<Acc>[] = [];
    for (const s of perKey.values()) {
      if (s.start < w.end && w.start < s.end) overlapping.push(s);
    }
    if (overlapping.length === 0 || (overlapping.length === 1 && sessionId(overlapping[0]!) === sessionId(w))) return w;
    let accumulator: Acc | undefined;
    for (const s of overlapping) {
      start = Math.min(start, s.start);
      end = Math.max(end, s.end);
      accumulator = accumulator === undefined ? s.accumulator : this.#spec.aggregate.merge(accumulator, s.accumulator);
      perKey.delete(sessionId(s));
      this.#deleteTimers(key, s);
    }
    const merged = { start, end };
    perKey.set(sessionId(merged), { start, end, accumulator: accumulator as Acc });
    this.#registerTimers(key, merged);
    return merged;
  }

  #onTimer(timer: Timer): void {
    const perKey = this.#windows.get(timer.key);
    if (perKey === undefined) return;
    // Tumbling and sliding windows of a key are found by their bounds: with a watermark far behind
    // the records (a slow source), a key has many windows open, and a scan per timer is quadratic.
    const assigner = this.#spec.assigner;
    if (assigner.kind !== 'session') {
      const fireEnd = timer.time + 1;
      const purgeEnd = fireEnd - this.#allowedLatenessMs;
      const toFire = perKey.get(fireEnd - assigner.sizeMs);
      const purgeId = purgeEnd - assigner.sizeMs;
      const toPurge = perKey.get(purgeId);
      if (toFire !== undefined || toPurge !== undefined) {
        if (toFire !== undefined && maxTimestampOf(toFire) === timer.time) this.#fire(timer.key, toFire);
        if (toPurge !== undefined && maxTimestampOf(toPurge) + this.#allowedLatenessMs === timer.time) perKey.delete(purgeId);
        if (perKey.size === 0) this.#windows.delete(timer.key);
        return;
      }
    }
    for (const [id, state] of [...perKey]) {
      const last = maxTimestampOf(state);
      if (last === timer.time) this.#fire(timer.key, state);
      if (last + this.#allowedLatenessMs === timer.time) perKey.delete(id);
    }
    if (perKey.size === 0) this.#windows.delete(timer.key);
  }

  #fire(key: Key, state: WindowState<Acc>): void {
    const result = this.#spec.aggregate.getResult(state.accumulator);
    const window = { start: state.start, end: state.end };
    if (this.#spec.process === undefined) {
      this.#output.emit(result as unknown as Out);
      return;
    }
    for (const out of this.#spec.process(key, window, result)) this.#output.emit(out);
  }

  /** Watermark, windows and timers, per key group. Accumulators are shared, not copied: serialize before mutating again. */
  snapshot(): WindowOperatorSnapshot<Acc> {
    const groups = new Map<number, { key: Key; start: number; end: number; accumulator: Acc }[]>();
    for (const [key, perKey] of this.#windows) {
      const group = keyGroupOf(key, this.#maxParallelism);
      let list = groups.get(group);
      if (list === undefined) groups.set(group, (list = []));
      for (const s of perKey.values()) list.push({ key, start: s.start, end: s.end, accumulator: s.accumulator });
    }
    return {
      watermark: this.#watermark,
      windows: [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([keyGroup, windows]) => ({ keyGroup, windows })),
      timers: this.#timers.snapshot(),
    };
  }

  /**
   * Restores the key groups this subtask owns from one or more snapshots (several after a
   * rescale). The watermark is the smallest of theirs: it only moves forward again with input.
   */
  restore(snapshots: readonly WindowOperatorSnapshot<Acc>[]): void {
    let watermark = Infinity;
    for (const snap of snapshots) {
      watermark = Math.min(watermark, snap.watermark);
      for (const { keyGroup, windows } of snap.windows) {
        if (keyGroup < this.#range.start || keyGroup > this.#range.end) continue;
        for (const w of windows) {
          let perKey = this.#windows.get(w.key);
          if (perKey === undefined) this.#windows.set(w.key, (perKey = new Map()));
          perKey.set(this.#id(w), { start: w.start, end: w.end, accumulator: w.accumulator });
        }
      }
      this.#timers.restore(snap.timers);
    }
    this.#watermark = snapshots.length === 0 ? NO_WATERMARK : watermark;
  }
}
