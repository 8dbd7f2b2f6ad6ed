/**
 * Savepoints across a change of chaining. A job runs `gen -> tally -> out` with `tally` and the
 * transactional sink `out` chained in one subtask, and stops with an aligned savepoint mid-run.
 * The changed job puts `rebalance()` between them, so `tally` and `out` run in separate chains.
 * State is matched by operator uid, not by the chain, so the restore keeps the tally's keyed state,
 * the sink's pending transactions and the source's position: the two runs together commit exactly
 * the output of one failure-free run. A job whose operators no longer have a uid the savepoint
 * holds state for is refused, naming the uid, unless `allowNonRestoredState` drops it.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline as PipelineType, SinkSpec } from '../../src/index.js';
import { ops, sluice, storage } from './support/compiled.js';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  SINK,
  SOURCE,
  TALLY,
  buildPipeline,
  committedLines,
  expectedLines,
  failureOf,
  multisetDifference,
  stopWithSavepointOnceCheckpointed,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';
import type { JobShape } from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'rechained', count: 60_000 };

/** The job with `tally` and the sink in separate chains (a rebalance between them); `tallyName` renames the tally. */
function rechained(shape: JobShape, sink: SinkSpec<string>, tally: { name: string; uid?: string } = { name: TALLY }): PipelineType {
  const pipeline = new sluice.Pipeline({ name: shape.name, parallelism: 2, channelBytes: shape.channelBytes });
  pipeline
    .source(sluice.generatorSource({ seed: shape.seed, count: shape.count, keys: shape.keys }), { name: SOURCE })
    .keyBy(1)
    .process<string>(ops.tally, { ...tally, options: { costMicros: shape.costMicros, perRecord: shape.perRecord } })
    .rebalance()
    .sink(sink, { name: SINK });
  return pipeline;
}

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
let savepointDir: string;
let savepointId: number;
let firstOutput: string;

beforeAll(async () => {
  tmp = await temporaryDirectory();
  const checkpointRoot = path.join(tmp.path, 'checkpoints');
  savepointDir = path.join(tmp.path, 'savepoint');
  firstOutput = path.join(tmp.path, 'first-out');
  const first = buildPipeline(JOB, transactionalLines(firstOutput));
  const savepoint = await stopWithSavepointOnceCheckpointed(first, JOB.name, { mode: 'aligned', intervalMs: 20, retain: 1, dir: checkpointRoot }, savepointDir);
  savepointId = savepoint.id;
  // The savepoint was taken with tally and sink in one chain.
  const { metadata } = await storage.readCheckpointMetadata(savepointDir);
  expect(metadata.subtasks.map((subtask) => subtask.operator)).toContain(`${TALLY} -> ${SINK}`);
});
afterAll(() => tmp.remove());

describe('restoring a savepoint into a job chained differently', () => {
  it('matches state by uid and commits exactly the output of one failure-free run', async () => {
    const output = path.join(tmp.path, 'rechained-out');
    await import('node:fs/promises').then((fs) => fs.cp(firstOutput, output, { recursive: true }));
    const log = new EventLog();
    const second = await rechained(JOB, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, dir: path.join(tmp.path, 'checkpoints-2') },
      restore: savepointDir,
      onEvent: log.onEvent,
    });
    expect(log.of('restored').map((event) => event.checkpointId)).toEqual([savepointId]);
    expect(second.operators[SOURCE]!.recordsOut).toBeLessThan(JOB.count);
    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });

  it('restores a renamed operator that keeps its uid', async () => {
    const output = path.join(tmp.path, 'renamed-out');
    await import('node:fs/promises').then((fs) => fs.cp(firstOutput, output, { recursive: true }));
    await rechained(JOB, transactionalLines(output), { name: 'tally-renamed', uid: TALLY }).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, dir: path.join(tmp.path, 'checkpoints-3') },
      restore: savepointDir,
    });
    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });

  it('refuses state that no operator takes, naming its uid, unless allowNonRestoredState', async () => {
    const output = path.join(tmp.path, 'refused-out');
    const error = await failureOf(
      rechained(JOB, transactionalLines(output), { name: 'other-tally' }).execute({
        checkpoints: { mode: 'aligned', intervalMs: 20, dir: path.join(tmp.path, 'checkpoints-4') },
        restore: savepointDir,
      }),
    );
    expect(error.code).toBe('SLUICE_NON_RESTORED_STATE');
    expect(error.message).toContain(`'${TALLY}'`);
    expect(error.message).toMatch(/allow-non-restored-state/);

    const allowed = await rechained(JOB, transactionalLines(output), { name: 'other-tally' }).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, dir: path.join(tmp.path, 'checkpoints-5') },
      restore: savepointDir,
      allowNonRestoredState: true,
    });
    expect(allowed.operators['other-tally']!.recordsIn).toBeGreaterThan(0);
  });
});
