/**
 * A timer storm does not hold an unaligned barrier: one watermark makes 20,000 timers of 20 us
 * each due at once (0.4 s of work; the watermark lags the records by far more than their times
 * span, so no timer is due before the jump), and the subtask fires them in bounded steps between which it
 * takes barrier announcements. The sink chained behind the timers counts their records at each
 * snapshot: a checkpoint taken in the middle of the storm sees some but not all of them. Fired in
 * one go, every snapshot would see none or all.
 */
import { describe, expect, it } from 'vitest';
import type { SinkSpec } from '../../src/index.js';
import type * as StormOps from '../fixtures/eventtime/timer-storm-ops.js';
import { temporaryDirectory } from '../recovery/support/jobs.js';
import { loadCompiled } from '../support/compiled.js';
import { sluice } from './support/compiled.js';

const ops = await loadCompiled<typeof StormOps>('test/fixtures/eventtime/timer-storm-ops.js');

const TIMERS = 20_000;

describe.each(['unaligned', 'aligned-timeout'] as const)('a timer storm under %s checkpoints', (mode) => {
  it('lets checkpoints through between steps of firing, and fires every timer once', async () => {
    const tmp = await temporaryDirectory('sluice-timer-storm-');
    try {
      const pipeline = new sluice.Pipeline({ name: `timer-storm-${mode}`, parallelism: 1 });
      const sink: SinkSpec<number> = { fn: ops.snapshotCounter, options: null, name: 'counter' };
      pipeline
        .source(ops.stormSourceSpec({ timers: TIMERS, tailMs: 1_500 }), { name: 'storm', watermarks: sluice.boundedOutOfOrderness({ timestamp: ops.stormTime, maxOutOfOrdernessMs: ops.JUMP_TIME / 10 }) })
        .keyBy(ops.oneKey)
        .process<number>(ops.slowTimers, { name: 'timers', options: { costMicros: 20 } })
        .sink(sink, { name: 'counter' });
      const result = await pipeline.execute({
        checkpoints: { mode, intervalMs: 10, dir: tmp.path, ...(mode === 'aligned-timeout' ? { alignmentTimeoutMs: 0 } : {}) },
      });
      const [seen] = result.sinks['counter'] as Array<Array<[number, number]>>;
      const snapshots = seen!.filter(([id]) => id >= 0).map(([, count]) => count);
      expect(seen!.at(-1)).toEqual([-1, TIMERS]);
      // Some snapshot was taken while the storm was under way.
      expect(snapshots.some((count) => count > 0 && count < TIMERS), `records at each snapshot: ${snapshots.join(', ')}`).toBe(true);
    } finally {
      await tmp.remove();
    }
  });
});
