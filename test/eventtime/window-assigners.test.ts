/**
 * Window assignment: tumbling windows partition time, sliding windows cover each record
 * size/slide times, session windows start at the record; negative times and offsets included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignWindows, sessionWindows, slidingWindows, tumblingWindows } from '../../src/api/windows.js';

describe('window assigners', () => {
  it('tumbling: one window containing the record, aligned to size and offset', () => {
    expect(assignWindows(tumblingWindows(10), 25)).toEqual([{ start: 20, end: 30 }]);
    expect(assignWindows(tumblingWindows(10), 30)).toEqual([{ start: 30, end: 40 }]);
    expect(assignWindows(tumblingWindows(10), -1)).toEqual([{ start: -10, end: 0 }]);
    expect(assignWindows(tumblingWindows(10, 3), 2)).toEqual([{ start: -7, end: 3 }]);
  });

  it('sliding: every window of the slide grid that contains the record', () => {
    expect(assignWindows(slidingWindows(10, 5), 12)).toEqual([{ start: 10, end: 20 }, { start: 5, end: 15 }]);
    expect(assignWindows(slidingWindows(10, 10), 12)).toEqual([{ start: 10, end: 20 }]);
  });

  it('session: the record opens a window of the gap', () => {
    expect(assignWindows(sessionWindows(30), 100)).toEqual([{ start: 100, end: 130 }]);
  });

  it('rejects bad sizes', () => {
    expect(() => tumblingWindows(0)).toThrow(/positive/);
    expect(() => slidingWindows(5, 10)).toThrow(/must not exceed/);
    expect(() => sessionWindows(-1)).toThrow(/positive/);
  });

  it('property: a sliding record is in ceil(size/slide) windows when slide divides size, each containing it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: -1000, max: 1000 }), (slide, k, t) => {
        const windows = assignWindows(slidingWindows(slide * k, slide), t);
        expect(windows).toHaveLength(k);
        for (const w of windows) {
          expect(w.start <= t && t < w.end).toBe(true);
          expect(w.end - w.start).toBe(slide * k);
        }
      }),
    );
  });
});
