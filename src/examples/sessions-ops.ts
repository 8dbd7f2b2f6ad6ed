/** Operators of the sessions example job. */
import type { Collector, KeyedContext } from '../api/context.js';
import { defineKeySelector, defineProcess } from '../api/functions.js';

/** One line of the input: a user did something at `time` (milliseconds since the epoch, or an ISO date). */
export interface UserEvent {
  readonly user: string;
  readonly time: number | string;
}

/** A session of one user: events with gaps below the session gap. `end` is the last event plus the gap. */
export interface Session {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly events: number;
}

/** Options of the sessionize operator. */
export interface SessionOptions {
  readonly gapMs: number;
}

/** Event time of an event, milliseconds. */
export function eventTime(event: UserEvent): number {
  const t = typeof event.time === 'number' ? event.time : Date.parse(event.time);
  if (!Number.isFinite(t)) throw new TypeError(`event of user ${String(event.user)} has no valid time: ${JSON.stringify(event.time)}`);
  return t;
}

/**
 * Adds an event at `t` to a user's sessions (sorted, non-overlapping `[start, end, events]`),
 * merging every session its window `[t, t + gap)` overlaps. Out-of-order events merge the same.
 */
export function addToSessions(sessions: readonly (readonly [number, number, number])[], t: number, gapMs: number): [number, number, number][] {
  let start = t;
  let end = t + gapMs;
  let events = 1;
  const kept: [number, number, number][] = [];
  for (const s of sessions) {
    if (s[0] < end && start < s[1]) {
      start = Math.min(start, s[0]);
      end = Math.max(end, s[1]);
      events += s[2];
    } else kept.push([s[0], s[1], s[2]]);
  }
  // A merged session can now overlap one it did not before: merge until stable.
  const result: [number, number, number][] = [];
  let current: [number, number, number] = [start, end, events];
  for (const s of kept.concat([current]).sort((a, b) => a[0] - b[0])) {
    const last = result[result.length - 1];
    if (last !== undefined && s[0] < last[1]) {
      last[1] = Math.max(last[1], s[1]);
      last[2] += s[2];
    } else result.push((current = [s[0], s[1], s[2]]));
  }
  return result;
}

/** Events are keyed by user. */
export const userKey = defineKeySelector(import.meta, (event: UserEvent) => String(event.user));

/**
 * Session windows per user over a bounded input: sessions live in keyed state (so they are
 * checkpointed) and all close when the input ends, as if the watermark reached the end of time.
 */
export const sessionize = defineProcess(import.meta, {
  processElement(event: UserEvent, ctx: KeyedContext<SessionOptions>, _out: Collector<Session>) {
    const state = ctx.valueState<[number, number, number][]>('sessions');
    state.update(addToSessions(state.value() ?? [], eventTime(event), ctx.options.gapMs));
  },
  onEnd(ctx: KeyedContext<SessionOptions>, out: Collector<Session>) {
    ctx.forEachKey<[number, number, number][]>('sessions', (user, sessions) => {
      for (const [start, end, events] of sessions) out.collect({ user: String(user), start, end, events });
    });
  },
});
