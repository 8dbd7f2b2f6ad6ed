/** Operators of the sessions example job. */
import { defineTimestampAssigner } from '../api/event-time.js';
import { defineKeySelector } from '../api/functions.js';
import { defineAggregate, defineWindowFunction } from '../api/windows.js';

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

/** Event time of an event, milliseconds. */
export function eventTime(event: UserEvent): number {
  const t = typeof event.time === 'number' ? event.time : Date.parse(event.time);
  if (!Number.isFinite(t)) throw new TypeError(`event of user ${String(event.user)} has no valid time: ${JSON.stringify(event.time)}`);
  return t;
}

/** The event time of each input line. */
export const eventTimestamp = defineTimestampAssigner(import.meta, eventTime);

/** Events are keyed by user. */
export const userKey = defineKeySelector(import.meta, (event: UserEvent) => String(event.user));

/** The number of events in a session (session windows merge, so counts add up). */
export const countEvents = defineAggregate(import.meta, {
  createAccumulator: () => 0,
  add: (count: number, _event: UserEvent) => count + 1,
  getResult: (count: number) => count,
  merge: (a: number, b: number) => a + b,
});

/** A fired session window as an output line: its window is `[first event, last event + gap)`. */
export const toSession = defineWindowFunction(import.meta, (user, window, events: number): Session[] => [
  { user: String(user), start: window.start, end: window.end, events },
]);
