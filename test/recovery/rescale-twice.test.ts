/**
 * Restoring at another parallelism twice in a row, keyed edges, unaligned checkpoints: run 2
 * restores run 1's checkpoint at a new parallelism and fails once its own first checkpoint is
 * complete (taken while it may still replay run 1's in-flight data); run 3 restores that one at
 * a third parallelism. What the three runs committed is exactly the output of a failure-free
 * run, and per key each source split's records stayed in order across both restores.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { temporaryDirectory } from './support/jobs.js';
import { runRescaleStages } from './support/rescale.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-rescale-twice-');
});
afterAll(() => tmp.remove());

describe('hash edges restored at another parallelism twice', () => {
  it('commit exactly the output of a failure-free run, in order per key and split', async () => {
    const parallelism = fc.integer({ min: 1, max: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(parallelism, parallelism, parallelism).filter(([a, b, c]) => a !== b && b !== c),
        async (stages) => {
          await runRescaleStages(tmp.path, 'hash', 'unaligned', stages);
        },
      ),
      { numRuns: 2, examples: [[[3, 1, 4]]] },
    );
  }, 300_000);
});
