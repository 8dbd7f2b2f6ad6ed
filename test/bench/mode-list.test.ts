/** `sluice bench` runs the engine's own checkpoint modes plus the baseline, from one list. */
import { describe, expect, it } from 'vitest';
import type * as Lib from '../../src/bench/lib/index.js';
import type * as Modes from '../../src/checkpoint/checkpoint-mode.js';
import type * as Report from '../../src/bench/report/index.js';
import type * as Command from '../../src/bench/bench-command.js';
import { loadCompiled } from '../support/compiled.js';

describe('bench mode list', () => {
  it('is the baseline followed by every checkpoint mode, and the report and the plan use it', async () => {
    const { BENCH_MODES } = await loadCompiled<typeof Lib>('src/bench/lib/index.js');
    const { CHECKPOINT_MODES } = await loadCompiled<typeof Modes>('src/checkpoint/checkpoint-mode.js');
    const { MODE_ORDER } = await loadCompiled<typeof Report>('src/bench/report/index.js');
    const { benchPlan } = await loadCompiled<typeof Command>('src/bench/bench-command.js');
    expect(BENCH_MODES).toEqual(['off', ...CHECKPOINT_MODES]);
    expect(MODE_ORDER).toEqual(BENCH_MODES);
    expect(benchPlan({}).modes).toEqual(BENCH_MODES);
  });
});
