/**
 * A rate-limited generator says 'idle' when it is ahead of its schedule and calls wakeup()
 * from a timer when the next record is due. Time is faked, so nothing here depends on speed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENERATOR_MAX_CATCH_UP_SECONDS, generatorSource } from '../../src/connectors/index.js';
import { createSource, sourceContext } from './support/harness.js';

describe('generator rate limit', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function open(ratePerSecond: number, count: number, subtaskIndex = 0, parallelism = 1) {
    const source = createSource(generatorSource({ count, ratePerSecond }));
    const { ctx, signal } = sourceContext(subtaskIndex, parallelism);
    source.open(ctx, undefined);
    const records: unknown[] = [];
    return { source, signal, records, out: { collect: (record: unknown) => void records.push(record) } };
  }

  it("returns 'idle' when ahead of schedule and wakes the subtask by timer", () => {
    const { source, signal, records, out } = open(20, 4);
    expect(source.poll(out, 100)).toBe('idle');
    expect(records).toHaveLength(1);
    expect(signal.calls).toBe(0);
    vi.advanceTimersToNextTimer();
    expect(signal.calls).toBe(1);
    expect(source.poll(out, 100)).toBe('idle');
    expect(records).toHaveLength(2);
    vi.advanceTimersByTime(10_000);
    expect(source.poll(out, 100)).toBe('end');
    expect(records).toHaveLength(4);
    source.close?.();
  });

  it('splits the rate over subtasks and emits on schedule', () => {
    // 16 per second over 2 subtasks: one record every 125 ms per subtask, the first at once.
    const { source, signal, records, out } = open(16, 1000, 1, 2);
    const start = performance.now();
    let status = source.poll(out, 1000);
    while (performance.now() - start < 1000) {
      expect(status).toBe('idle');
      const wakeups = signal.calls;
      vi.advanceTimersToNextTimer();
      expect(signal.calls).toBe(wakeups + 1);
      status = source.poll(out, 1000);
    }
    expect(performance.now() - start).toBe(1000);
    expect(records).toHaveLength(9);
    source.close?.();
  });

  it('bursts at most the catch-up allowance after a stall', () => {
    const ratePerSecond = 100;
    const { source, records, out } = open(ratePerSecond, 10_000);
    source.poll(out, 10_000);
    vi.advanceTimersByTime(60_000);
    records.length = 0;
    expect(source.poll(out, 10_000)).toBe('idle');
    expect(records).toHaveLength(Math.ceil(ratePerSecond * GENERATOR_MAX_CATCH_UP_SECONDS));
    source.close?.();
  });

  it('cancels its timer on close', () => {
    const { source, signal, out } = open(10, 100);
    expect(source.poll(out, 100)).toBe('idle');
    source.close?.();
    vi.advanceTimersByTime(10_000);
    expect(signal.calls).toBe(0);
  });
});
