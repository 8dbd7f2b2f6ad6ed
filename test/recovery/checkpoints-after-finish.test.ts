/**
 * Checkpoints go on after some subtasks finish (Flink's checkpoints after tasks finish). A short
 * source and a long one are unioned into the keyed tally: the short source finishes early, and
 * checkpoints keep completing, recording it as finished, with none failing for it. A failure of the
 * tally after that restarts the job from such a checkpoint: the finished source is not run again
 * (its records are not counted twice), and the output is exactly that of one failure-free run.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline as PipelineType } from '../../src/index.js';
import { ops, sluice, storage } from './support/compiled.js';
import { EventLog, NO_DIFFERENCE, TALLY, committedLines, completed, multisetDifference, temporaryDirectory, transactionalLines } from './support/jobs.js';

const SHORT = { seed: 3, count: 200, keys: 16 };
const LONG = { seed: 4, count: 60_000, keys: 16 };

function build(output: string): PipelineType {
  const pipeline = new sluice.Pipeline({ name: 'after-finish', parallelism: 1, channelBytes: 16_384 });
  const short = pipeline.source(sluice.generatorSource(SHORT), { name: 'short' });
  const long = pipeline.source(sluice.generatorSource(LONG), { name: 'long' });
  short
    .union(long)
    .keyBy(1)
    .process<string>(ops.tally, { name: TALLY, options: { costMicros: 10, perRecord: true } })
    .sink(transactionalLines(output), { name: 'out' });
  return pipeline;
}

function expected(): string[] {
  const lines: string[] = [];
  const totals = new Map<number, [number, number, number]>();
  for (const source of [SHORT, LONG]) {
    for (let seq = 0; seq < source.count; seq++) {
      const [, key, value] = sluice.generatorRecord({ seed: source.seed, keys: source.keys }, seq) as [number, number, number];
      lines.push(`${key}:${seq}:${value * 2}`);
      const entry = totals.get(key) ?? [0, 0, 0];
      totals.set(key, [entry[0] + 1, entry[1] + value, entry[2] + seq]);
    }
  }
  for (const [key, [count, valueSum, seqSum]] of totals) lines.push(`total:${key}:${count}:${valueSum}:${seqSum}`);
  return lines;
}

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('checkpoints after a source finished', () => {
  it('keep completing, and a restore does not run the finished source again', async () => {
    const output = path.join(tmp.path, 'out');
    const dir = path.join(tmp.path, 'checkpoints');
    const log = new EventLog();
    const result = await build(output).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, retain: 100, dir },
      restart: { type: 'fixed-delay', attempts: 1, delayMs: 10 },
      // At checkpoint 5's snapshot: checkpoints 1 to 4 completed, the later ones with the short source finished.
      faults: [{ operator: TALLY, subtask: 0, kind: 'throw', atCheckpoint: { phase: 'after-snapshot', checkpointId: 5 } }],
      onEvent: log.onEvent,
    });
    expect(result.restarts).toBe(1);
    // None failed for the finished source; only one in progress when the tally failed may have been aborted.
    const failed = result.checkpoints.filter((stats) => stats.status === 'failed');
    expect(failed.map((stats) => stats.failureReason).filter((reason) => reason !== 'the job attempt ended')).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(1);
    const jobCheckpoints = await new storage.CheckpointStorage({ checkpointDir: dir, job: 'after-finish' }).list();
    const withFinished = jobCheckpoints.filter(({ metadata }) => metadata.subtasks.some((subtask) => subtask.operator === 'short' && subtask.finished));
    expect(withFinished.length).toBeGreaterThanOrEqual(2);
    expect(completed(result).length).toBeGreaterThan(withFinished.length - 1);
    const restored = log.of('restored');
    expect(restored).toHaveLength(1);
    const { metadata } = await storage.readCheckpointMetadata(restored[0]!.path);
    expect(metadata.subtasks.find((subtask) => subtask.operator === 'short')!.finished).toBe(true);
    // The restored attempt did not run the finished source.
    expect(result.operators['short']!.recordsOut).toBe(0);
    expect(multisetDifference(await committedLines(output), expected())).toEqual(NO_DIFFERENCE);
  });
});
