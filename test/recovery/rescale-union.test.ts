/**
 * Restoring a checkpoint at another parallelism, union edges, aligned and unaligned. A union of two sources into a keyed operator: each input edge is re-routed on its own, by key group.
 * Run 1 fails on purpose under backpressure; run 2 restores its latest checkpoint at another
 * parallelism (fast-check draws the pairs, going up and down), and what both committed is
 * compared to the output of a failure-free run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { temporaryDirectory } from './support/jobs.js';
import { PAIR_RUNS, PARALLELISM_PAIRS, runRescaleCase } from './support/rescale.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-rescale-');
});
afterAll(() => tmp.remove());

describe.each(['aligned', 'unaligned'] as const)('union edges, %s checkpoints', (mode) => {
  it('restored at another parallelism, commit exactly the output of a failure-free run', async () => {
    await fc.assert(
      fc.asyncProperty(PARALLELISM_PAIRS, async ([from, to]) => {
        await runRescaleCase(tmp.path, 'union', mode, from, to);
      }),
      PAIR_RUNS,
    );
  }, 300_000);
});
