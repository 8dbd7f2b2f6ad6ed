/**
 * Watermarks: a source's bounded out-of-orderness generator trails the largest event time and
 * goes idle after its timeout; a subtask's watermark is the minimum over its non-idle input
 * channels, reported only when it advances, and held back while in-flight data is replayed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputWatermarks, NO_WATERMARK, WatermarkGenerator, generatorStrategy } from '../../src/runtime/watermarks.js';

describe('bounded out-of-orderness generator', () => {
  it('trails the largest event time by the bound minus one and emits only advances', () => {
    const g = new WatermarkGenerator(generatorStrategy((r: { t: number }) => r.t, 100), 0);
    expect(g.poll()).toBeUndefined();
    g.onRecord({ t: 1000 }, 0);
    expect(g.poll()).toBe(899);
    g.onRecord({ t: 950 }, 0); // out of order: no advance
    expect(g.poll()).toBeUndefined();
    g.onRecord({ t: 1200 }, 0);
    expect(g.poll()).toBe(1099);
  });

  it('goes idle after the timeout without records, and active again on a record', () => {
    const g = new WatermarkGenerator(generatorStrategy((t: number) => t, 0, { idleTimeoutMs: 50 }), 0);
    g.onRecord(5, 10);
    expect(g.isIdle(59)).toBe(false);
    expect(g.isIdle(60)).toBe(true);
    g.onRecord(6, 70);
    expect(g.isIdle(70)).toBe(false);
  });

  it('rejects a negative bound and a non-numeric timestamp', () => {
    expect(() => generatorStrategy((t: number) => t, -1)).toThrow(/maxOutOfOrdernessMs/);
    const g = new WatermarkGenerator(generatorStrategy((_: string) => Number.NaN, 0), 0);
    expect(() => g.onRecord('x', 0)).toThrow(/not a number/);
  });

  it('after restore never emits a watermark below the restored one', () => {
    const g = new WatermarkGenerator(generatorStrategy((t: number) => t, 10), 0);
    g.restore(500);
    g.onRecord(100, 0);
    expect(g.poll()).toBeUndefined();
    g.onRecord(600, 0);
    expect(g.poll()).toBe(589);
  });
});

describe('watermark of a subtask over its inputs', () => {
  it('is the minimum over channels and reported only when it advances', () => {
    const w = new InputWatermarks(2);
    expect(w.update(0, 100)).toBeUndefined(); // channel 1 has none yet
    expect(w.update(1, 50)).toBe(50);
    expect(w.update(1, 40)).toBeUndefined(); // a channel's watermark never goes back
    expect(w.update(1, 200)).toBe(100);
    expect(w.update(0, 100)).toBeUndefined();
    expect(w.current).toBe(100);
  });

  it('ignores idle channels, and an idle channel coming back holds from its own watermark', () => {
    const w = new InputWatermarks(3);
    w.update(0, 10);
    w.update(1, 20);
    expect(w.markIdle(2)).toBe(10);
    expect(w.markIdle(0)).toBe(20);
    expect(w.update(0, 15)).toBeUndefined(); // active again, behind: the watermark does not go back
    expect(w.current).toBe(20);
    expect(w.update(0, 30)).toBeUndefined(); // min(30, 20) is still 20
    expect(w.update(1, 40)).toBe(30);
  });

  it('all channels idle: no watermark change', () => {
    const w = new InputWatermarks(2);
    w.markIdle(0);
    expect(w.markIdle(1)).toBeUndefined();
    expect(w.current).toBe(NO_WATERMARK);
  });

  it('held while replaying persisted in-flight data, then advances once to the minimum', () => {
    const w = new InputWatermarks(2, 100);
    w.holdUntilReplayed();
    expect(w.update(0, 300)).toBeUndefined();
    expect(w.update(1, 250)).toBeUndefined();
    expect(w.current).toBe(100);
    expect(w.replayFinished()).toBe(250);
  });

  it('property: the reported sequence is strictly increasing and ends at the minimum over channels', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1000 })), { maxLength: 60 }), (events) => {
        const w = new InputWatermarks(4);
        const max = [NO_WATERMARK, NO_WATERMARK, NO_WATERMARK, NO_WATERMARK];
        let last = NO_WATERMARK;
        for (const [channel, wm] of events) {
          max[channel] = Math.max(max[channel]!, wm);
          const reported = w.update(channel, wm);
          if (reported !== undefined) {
            expect(reported).toBeGreaterThan(last);
            last = reported;
          }
        }
        expect(w.current).toBe(Math.min(...max));
      }),
    );
  });
});
