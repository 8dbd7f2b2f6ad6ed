/**
 * Window firing and lateness: a window fires when the watermark passes its end; a record
 * within the allowed lateness fires it again with the update; a record later than that goes
 * to the late side output (or is counted as dropped without one); session windows merge.
 */
import { describe, expect, it } from 'vitest';
import { type AggregateFunction, outputTag, reducing, sessionWindows, tumblingWindows, type WindowSpec } from '../../src/api/windows.js';
import { WindowOperator } from '../../src/runtime/window-operator.js';

interface Click { user: string; t: number }
const MAX = 16;
const count: AggregateFunction<Click, number, number> = {
  createAccumulator: () => 0,
  add: (acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

function operator<Acc, R>(spec: WindowSpec<Click, Acc, R, string>) {
  const emitted: string[] = [];
  const late: string[] = [];
  const op = new WindowOperator<Click, Acc, R, string>({
    spec,
    keyOf: (c) => c.user,
    range: { start: 0, end: MAX - 1 },
    maxParallelism: MAX,
    output: { emit: (r) => emitted.push(r), late: (tag, r) => late.push(`${tag}:${r.user}@${r.t}`) },
  });
  return { op, emitted, late };
}

const describeWindow = (key: string | number, w: { start: number; end: number }, n: number) => [`${key}[${w.start},${w.end})=${n}`];

describe('window firing and lateness', () => {
  it('fires a tumbling window once the watermark reaches its last timestamp, then purges it', () => {
    const { op, emitted } = operator({ assigner: tumblingWindows(10), timestampOf: (c) => c.t, aggregate: count, process: describeWindow });
    op.processRecord({ user: 'a', t: 3 });
    op.processRecord({ user: 'a', t: 12 });
    op.processRecord({ user: 'a', t: 7 });
    op.advanceWatermark(8, 100);
    expect(emitted).toEqual([]);
    op.advanceWatermark(9, 100);
    expect(emitted).toEqual(['a[0,10)=2']);
    expect(op.openWindowCount).toBe(1);
  });

  it('within allowed lateness a late record fires the window again; after it, the record goes to the side output', () => {
    const tag = outputTag<Click>('late-clicks');
    const { op, emitted, late } = operator({
      assigner: tumblingWindows(10), timestampOf: (c) => c.t, aggregate: count, process: describeWindow,
      allowedLatenessMs: 5, lateRecords: tag,
    });
    op.processRecord({ user: 'a', t: 1 });
    op.advanceWatermark(10, 100);
    expect(emitted).toEqual(['a[0,10)=1']);
    op.processRecord({ user: 'a', t: 2 });
    expect(emitted).toEqual(['a[0,10)=1', 'a[0,10)=2']);
    op.advanceWatermark(14, 100); // 9 + 5: state purged
    expect(op.openWindowCount).toBe(0);
    op.processRecord({ user: 'a', t: 3 });
    expect(late).toEqual(['late-clicks:a@3']);
    expect(emitted).toHaveLength(2);
  });

  it('without a side output late records are dropped and counted', () => {
    const { op, late } = operator({ assigner: tumblingWindows(10), timestampOf: (c) => c.t, aggregate: reducing((a: Click) => a) });
    op.advanceWatermark(100, 10);
    op.processRecord({ user: 'a', t: 3 });
    expect(late).toEqual([]);
    expect(op.lateRecordsDropped).toBe(1);
  });

  it('session windows merge records closer than the gap, per key', () => {
    const { op, emitted } = operator({ assigner: sessionWindows(10), timestampOf: (c) => c.t, aggregate: count, process: describeWindow });
    for (const [user, t] of [['a', 0], ['a', 25], ['b', 5], ['a', 8], ['a', 17], ['b', 40]] as const) op.processRecord({ user, t });
    op.advanceWatermark(1000, 100);
    expect(emitted.sort()).toEqual(['a[0,35)=4', 'b[40,50)=1', 'b[5,15)=1']);
  });

  it('a session bridging two sessions merges all three', () => {
    const { op, emitted } = operator({ assigner: sessionWindows(10), timestampOf: (c) => c.t, aggregate: count, process: describeWindow });
    op.processRecord({ user: 'a', t: 0 });
    op.processRecord({ user: 'a', t: 15 });
    expect(op.openWindowCount).toBe(2);
    op.processRecord({ user: 'a', t: 8 });
    expect(op.openWindowCount).toBe(1);
    op.advanceWatermark(1000, 100);
    expect(emitted).toEqual(['a[0,25)=3']);
  });
});
