/**
 * Checkpoints go on after every source finished (Flink's checkpoints after tasks finish). The
 * generator ends at once; the keyed tally reads the rest of its input, ends it (emitting its
 * per-key totals) and then waits for a slow downstream map. No barrier can come from the finished
 * source, so the tally takes the trigger itself and sends barriers on; checkpoints keep completing.
 * A failure of the slow map then restores one of them: the finished source is not run again, and
 * the tally, which had ended its input, does not emit its totals a second time.
 *
 * Unaligned, the tally's barrier overtakes its queued output, so the map fails after such a
 * checkpoint completed and the restore comes from it. Aligned, the barrier follows everything the
 * tally emitted, so those checkpoints complete as the map finishes: they still complete, and the
 * output is exact either way.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline as PipelineType } from '../../src/index.js';
import { ops, sluice, storage } from './support/compiled.js';
import { BACKPRESSURED, EventLog, NO_DIFFERENCE, TALLY, committedLines, completed, expectedLines, multisetDifference, temporaryDirectory, transactionalLines } from './support/jobs.js';
import type { JobShape } from './support/jobs.js';

const SOURCE = { seed: 5, count: 3000, keys: 16 };
/** The same generator as a recovery job shape: its per-record lines and per-key totals. */
const SHAPE: JobShape = { ...BACKPRESSURED, ...SOURCE, perRecord: true };
const SLOW = 'slow';

function build(output: string): PipelineType {
  // Rings far smaller than the tally's output: it stays backpressured by the slow map long after its input ended.
  const pipeline = new sluice.Pipeline({ name: 'after-sources', parallelism: 1, channelBytes: 16_384, debloatTargetMs: 'off' });
  pipeline
    .source(sluice.generatorSource(SOURCE), { name: 'gen' })
    .keyBy(1)
    .process<string>(ops.tally, { name: TALLY, options: { perRecord: true } })
    .rebalance()
    .map(ops.slowLines, { name: SLOW, options: { micros: 150 } })
    .sink(transactionalLines(output), { name: 'out' });
  return pipeline;
}

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe.each(['aligned', 'unaligned'] as const)('%s checkpoints after every source finished', (mode) => {
  it('keep completing, and a restore emits neither the source nor the ended tally again', async () => {
    const output = path.join(tmp.path, `${mode}-out`);
    const dir = path.join(tmp.path, `${mode}-checkpoints`);
    const log = new EventLog();
    const result = await build(output).execute({
      checkpoints: { mode, intervalMs: 20, retain: 100, dir },
      restart: { type: 'fixed-delay', attempts: 1, delayMs: 10 },
      // Late in the slow map's work: long after the generator finished and the tally ended its input.
      faults: [{ operator: SLOW, subtask: 0, kind: 'throw', afterRecords: 2_600, attempt: 0 }],
      onEvent: log.onEvent,
    });
    expect(result.restarts).toBe(1);

    // Checkpoints completed after the source had finished (before, none were triggered then).
    const checkpoints = await new storage.CheckpointStorage({ checkpointDir: dir, job: 'after-sources' }).list();
    const afterSources = checkpoints.filter(({ metadata }) =>
      metadata.subtasks.some((subtask) => subtask.operator === 'gen' && subtask.finished),
    );
    expect(afterSources.length).toBeGreaterThanOrEqual(1);
    expect(completed(result).length).toBeGreaterThanOrEqual(afterSources.length);

    const restored = log.of('restored');
    expect(restored).toHaveLength(1);
    if (mode === 'unaligned') {
      // The restore came from one of them: the generator is not run again, the tally's totals not emitted twice.
      const { metadata } = await storage.readCheckpointMetadata(restored[0]!.path);
      expect(metadata.subtasks.find((subtask) => subtask.operator === 'gen')!.finished).toBe(true);
      expect(result.operators['gen']!.recordsOut).toBe(0);
    }
    expect(multisetDifference(await committedLines(output), expectedLines(SHAPE))).toEqual(NO_DIFFERENCE);
  });
});
