/**
 * Keyed timers: fire in time order once due, once per (key, time); fire in bounded steps that
 * together equal firing all at once; snapshot per key group and restore into the subtasks
 * owning those key groups (any parallelism), so none is lost or duplicated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyGroupOf, keyGroupRange } from '../../src/state/key-groups.js';
import { KeyedTimers, type Timer } from '../../src/state/timers.js';

const MAX = 128;
const all = { start: 0, end: MAX - 1 };

function drain(timers: KeyedTimers, now: number, step: number): Timer[] {
  const fired: Timer[] = [];
  while (timers.fireDue('event-time', now, step, (t) => fired.push(t)));
  return fired;
}

describe('keyed timers', () => {
  it('fire earliest first, only when due, once for a repeated registration, never after delete', () => {
    const timers = new KeyedTimers(all, MAX);
    timers.register('a', 30, 'event-time');
    timers.register('b', 10, 'event-time');
    timers.register('a', 30, 'event-time');
    timers.register('c', 20, 'event-time');
    timers.register('a', 5, 'processing-time');
    timers.delete('c', 20, 'event-time');
    expect(drain(timers, 25, 10).map((t) => [t.key, t.time])).toEqual([['b', 10]]);
    expect(drain(timers, 30, 10).map((t) => [t.key, t.time])).toEqual([['a', 30]]);
    expect(timers.size).toBe(1); // the processing-time timer
    const wall: Timer[] = [];
    timers.fireDue('processing-time', 5, 1, (t) => wall.push(t));
    expect(wall).toEqual([{ key: 'a', time: 5, domain: 'processing-time' }]);
  });

  it('a storm fires in bounded steps; more due is reported between steps', () => {
    const timers = new KeyedTimers(all, MAX);
    for (let i = 0; i < 1000; i++) timers.register(`k${i}`, i, 'event-time');
    let steps = 0;
    const fired: number[] = [];
    while (timers.fireDue('event-time', 10_000, 64, (t) => fired.push(t.time))) steps++;
    expect(steps).toBe(15); // 16 steps of 64 for 1000 timers; the last reports nothing left
    expect(fired).toEqual([...Array(1000).keys()]);
  });

  it('a timer registered while firing fires in the same pass if due', () => {
    const timers = new KeyedTimers(all, MAX);
    timers.register('a', 1, 'event-time');
    const fired: number[] = [];
    while (
      timers.fireDue('event-time', 10, 1, (t) => {
        fired.push(t.time);
        if (t.time < 5) timers.register('a', t.time + 2, 'event-time');
      })
    );
    expect(fired).toEqual([1, 3, 5]);
  });

  it('rejects a key of a key group the subtask does not own', () => {
    const range = keyGroupRange(0, 2, MAX);
    const timers = new KeyedTimers(range, MAX);
    let foreign = 0;
    while (keyGroupOf(foreign, MAX) <= range.end) foreign++;
    expect(() => timers.register(foreign, 1, 'event-time')).toThrow(/not owned/);
  });

  it('property: snapshot per key group, restored at another parallelism, fires the same timers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 100 })), { maxLength: 80 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (registrations, before, after) => {
          const owners = Array.from({ length: before }, (_, i) => new KeyedTimers(keyGroupRange(i, before, MAX), MAX));
          for (const [key, time] of registrations) {
            const group = keyGroupOf(key, MAX);
            owners.find((_, i) => { const r = keyGroupRange(i, before, MAX); return group >= r.start && group <= r.end; })!.register(key, time, 'event-time');
          }
          const snapshots = owners.flatMap((t) => t.snapshot());
          const restored = Array.from({ length: after }, (_, i) => new KeyedTimers(keyGroupRange(i, after, MAX), MAX));
          for (const t of restored) t.restore(snapshots);
          const fired = restored.flatMap((t) => drain(t, 1000, 7)).map((t) => `${t.key}@${t.time}`).sort();
          const expected = [...new Set(registrations.map(([k, t]) => `${k}@${t}`))].sort();
          expect(fired).toEqual(expected);
        },
      ),
    );
  });
});
