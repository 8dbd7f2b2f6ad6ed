/**
 * Keyed timers: a `process` function registers an event-time or processing-time timer for
 * the current key; it fires once the watermark (or the wall clock) reaches its time. Timers
 * are keyed state: a snapshot holds them per key group, so a restore at another parallelism
 * gives each subtask the timers of the key groups it owns. Due timers fire in bounded steps
 * (`fireDue(..., maxFirings)`), so a subtask can poll checkpoint announcements between steps.
 */
import type { Key, TimeDomain, TimerService } from '../api/context.js';
import { keyGroupOf, type KeyGroupRange } from './key-groups.js';

export type { TimeDomain, TimerService } from '../api/context.js';

/** A registered timer. */
export interface Timer {
  readonly key: Key;
  /** Milliseconds: event time or wall-clock time, per its domain. */
  readonly time: number;
  readonly domain: TimeDomain;
}

/** The timers of one key group in a snapshot. */
export interface KeyGroupTimers {
  readonly keyGroup: number;
  readonly timers: readonly Timer[];
}

/** A min-heap of timers by time, with set semantics on (key, time). */
class TimerQueue {
  readonly #heap: Timer[] = [];
  readonly #present = new Map<string, Timer>();

  static id(key: Key, time: number): string {
    return `${typeof key === 'number' ? 'n' : 's'}${key}\u0000${time}`;
  }

  get size(): number {
    return this.#present.size;
  }

  add(timer: Timer): void {
    const id = TimerQueue.id(timer.key, timer.time);
    if (this.#present.has(id)) return;
    this.#present.set(id, timer);
    this.#heap.push(timer);
    this.#up(this.#heap.length - 1);
  }

  /** Deleting leaves a tombstone in the heap; it is skipped when it surfaces. */
  delete(key: Key, time: number): void {
    this.#present.delete(TimerQueue.id(key, time));
  }

  /** The earliest live timer at or before `limit`, removed; undefined if none. */
  pollDue(limit: number): Timer | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.time > limit) return undefined;
      this.#pop();
      const id = TimerQueue.id(top.key, top.time);
      if (this.#present.get(id) === top) {
        this.#present.delete(id);
        return top;
      }
    }
  }

  /** The time of the earliest timer in the heap (it may have been deleted); Infinity when empty. */
  peekTime(): number {
    return this.#heap[0]?.time ?? Infinity;
  }

  live(): IterableIterator<Timer> {
    return this.#present.values();
  }

  #pop(): void {
    const last = this.#heap.pop()!;
    if (this.#heap.length === 0) return;
    this.#heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.#heap.length && this.#heap[l]!.time < this.#heap[m]!.time) m = l;
      if (r < this.#heap.length && this.#heap[r]!.time < this.#heap[m]!.time) m = r;
      if (m === i) return;
      [this.#heap[i], this.#heap[m]] = [this.#heap[m]!, this.#heap[i]!];
      i = m;
    }
  }

  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.#heap[p]!.time <= this.#heap[i]!.time) return;
      [this.#heap[i], this.#heap[p]] = [this.#heap[p]!, this.#heap[i]!];
      i = p;
    }
  }
}

/** The timers of one keyed subtask, for the key groups it owns. */
export class KeyedTimers {
  readonly #maxParallelism: number;
  readonly #range: KeyGroupRange;
  readonly #eventTime = new TimerQueue();
  readonly #processingTime = new TimerQueue();

  constructor(range: KeyGroupRange, maxParallelism: number) {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1) {
      throw new RangeError(`maxParallelism must be a positive integer, got ${maxParallelism}`);
    }
    this.#range = range;
    this.#maxParallelism = maxParallelism;
  }

  /** Timers registered and not yet fired or deleted. */
  get size(): number {
    return this.#eventTime.size + this.#processingTime.size;
  }

  register(key: Key, time: number, domain: TimeDomain): void {
    if (!Number.isFinite(time)) throw new TypeError(`a timer's time must be a finite number of milliseconds, got ${time}`);
    const group = keyGroupOf(key, this.#maxParallelism);
    if (group < this.#range.start || group > this.#range.end) {
      throw new RangeError(`key ${String(key)} is in key group ${group}, not owned by this subtask (${this.#range.start}..${this.#range.end})`);
    }
    this.#queue(domain).add({ key, time, domain });
  }

  delete(key: Key, time: number, domain: TimeDomain): void {
    this.#queue(domain).delete(key, time);
  }

  /** A TimerService bound to `currentKey()`, for user functions. */
  serviceFor(currentKey: () => Key, currentWatermark: () => number): TimerService {
    return {
      currentWatermark,
      currentProcessingTime: () => Date.now(),
      registerEventTime: (time) => this.register(currentKey(), time, 'event-time'),
      registerProcessingTime: (time) => this.register(currentKey(), time, 'processing-time'),
      deleteEventTime: (time) => this.delete(currentKey(), time, 'event-time'),
      deleteProcessingTime: (time) => this.delete(currentKey(), time, 'processing-time'),
    };
  }

  /**
   * Fires at most `maxFirings` timers of `domain` due at `now` (the watermark or the wall
   * clock), earliest first. `onTimer` may register new timers; those due also fire, within
   * the bound. Returns true when due timers remain: call again after polling announcements.
   */
  fireDue(domain: TimeDomain, now: number, maxFirings: number, onTimer: (timer: Timer) => void): boolean {
    if (!Number.isInteger(maxFirings) || maxFirings < 1) throw new RangeError(`maxFirings must be a positive integer, got ${maxFirings}`);
    const queue = this.#queue(domain);
    for (let fired = 0; fired < maxFirings; fired++) {
      const timer = queue.pollDue(now);
      if (timer === undefined) return false;
      onTimer(timer);
    }
    const next = queue.pollDue(now);
    if (next === undefined) return false;
    queue.add(next); // put back: it fires in the next step
    return true;
  }

  /** The earliest time a timer of `domain` may fire at (Infinity: none): when to wake for processing-time timers. */
  nextTime(domain: TimeDomain): number {
    return this.#queue(domain).peekTime();
  }

  /** The live timers grouped by key group, for a snapshot written per key group. */
  snapshot(): KeyGroupTimers[] {
    const groups = new Map<number, Timer[]>();
    for (const queue of [this.#eventTime, this.#processingTime]) {
      for (const timer of queue.live()) {
        const group = keyGroupOf(timer.key, this.#maxParallelism);
        let list = groups.get(group);
        if (list === undefined) groups.set(group, (list = []));
        list.push({ key: timer.key, time: timer.time, domain: timer.domain });
      }
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([keyGroup, timers]) => ({ keyGroup, timers }));
  }

  /** Adds the timers of the snapshot's key groups that this subtask owns; others are skipped. */
  restore(snapshot: readonly KeyGroupTimers[]): void {
    for (const { keyGroup, timers } of snapshot) {
      if (keyGroup < this.#range.start || keyGroup > this.#range.end) continue;
      for (const t of timers) this.#queue(t.domain).add({ key: t.key, time: t.time, domain: t.domain });
    }
  }

  #queue(domain: TimeDomain): TimerQueue {
    switch (domain) {
      case 'event-time':
        return this.#eventTime;
      case 'processing-time':
        return this.#processingTime;
      default:
        throw new TypeError(`unknown time domain ${String(domain)}`);
    }
  }
}
