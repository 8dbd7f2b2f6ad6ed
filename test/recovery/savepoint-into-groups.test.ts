/**
 * A savepoint taken without slot sharing groups restores into the same job with its sink in a
 * group of its own. The first job runs `gen -> tally -> out` with `tally` and the transactional
 * sink `out` chained in one subtask, and stops with an aligned savepoint mid-run; in the second
 * the group boundary cuts that chain, and the sink runs on threads of its own. State is matched
 * by operator uid, so the tally's keyed state, the sink's pending transactions and the source's
 * position all come back: the two runs together commit exactly the output of one failure-free run.
 */
import path from 'node:path';
import { cp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storage } from './support/compiled.js';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  SINK,
  SOURCE,
  TALLY,
  buildPipeline,
  committedLines,
  completed,
  expectedLines,
  multisetDifference,
  stopWithSavepointOnceCheckpointed,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'into-groups', count: 60_000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe('restoring a savepoint taken without groups into a job with a sink group', () => {
  it('matches state by uid and commits exactly the output of one failure-free run', async () => {
    const checkpointRoot = path.join(tmp.path, 'checkpoints');
    const savepointDir = path.join(tmp.path, 'savepoint');
    const firstOutput = path.join(tmp.path, 'first-out');
    const first = buildPipeline(JOB, transactionalLines(firstOutput));
    const savepoint = await stopWithSavepointOnceCheckpointed(first, JOB.name, { mode: 'aligned', intervalMs: 20, retain: 1, dir: checkpointRoot }, savepointDir);
    const { metadata } = await storage.readCheckpointMetadata(savepointDir);
    expect(metadata.subtasks.map((subtask) => subtask.operator)).toContain(`${TALLY} -> ${SINK}`);

    const output = path.join(tmp.path, 'grouped-out');
    await cp(firstOutput, output, { recursive: true });
    const log = new EventLog();
    const second = await buildPipeline({ ...JOB, sinkGroup: 'sink' }, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, dir: path.join(tmp.path, 'checkpoints-2') },
      restore: savepointDir,
      onEvent: log.onEvent,
    });
    expect(log.of('restored').map((event) => event.checkpointId)).toEqual([savepoint.id]);
    expect(second.operators[SOURCE]!.recordsOut).toBeLessThan(JOB.count);
    // The sink ran unchained, on threads of its own.
    expect(completed(second).some((stats) => stats.subtasks.some((subtask) => subtask.operator === SINK))).toBe(true);
    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });
});
