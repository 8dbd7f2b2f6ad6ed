/**
 * A restore that falls back past two damaged checkpoints rolls back the output those newer
 * checkpoints committed. A job with the transactional file sink fails after several checkpoints
 * (no restart), retaining three; the newest `_metadata` is truncated and a snapshot file of the
 * second newest too. `restore: 'latest'` restores the third newest, and the part files that the two
 * skipped checkpoints committed are set aside (a 'rolled-back' event names them), so the output
 * holds every record exactly once. Without the rollback those part files stay and their records
 * appear twice.
 */
import { cp, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, storage } from './support/compiled.js';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  TALLY,
  buildPipeline,
  committedLines,
  expectedLines,
  failureOf,
  multisetDifference,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'double-fallback', count: 100_000 };
const RETAIN = 3;

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

async function truncate(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.truncate(Math.floor((await handle.stat()).size / 2));
  } finally {
    await handle.close();
  }
}

describe("restore: 'latest' past two damaged checkpoints", () => {
  it('restores the third newest, sets aside what the skipped ones committed, and ends with every record once', async () => {
    const checkpointRoot = path.join(tmp.path, 'checkpoints');
    const output = path.join(tmp.path, 'out');
    const error = await failureOf(
      buildPipeline(JOB, transactionalLines(output)).execute({
        checkpoints: { mode: 'aligned', intervalMs: 20, retain: RETAIN, dir: checkpointRoot },
        restart: { type: 'none' },
        // At checkpoint 5's snapshot: 2, 3 and 4 are retained, and 3 and 4 committed output.
        faults: [{ operator: TALLY, subtask: 1, kind: 'throw', atCheckpoint: { phase: 'after-snapshot', checkpointId: 5 } }],
      }),
    );
    expect(error).toBeInstanceOf(sluice.JobFailedError);
    const retained = await new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name }).list();
    expect(retained).toHaveLength(RETAIN);
    const [third, second, newest] = retained;
    // Keep a copy of the failed run's output: what it committed after `third` must not survive.
    await cp(output, path.join(tmp.path, 'failed-out'), { recursive: true });
    const committedBefore = (await readdir(output)).filter((name) => name.startsWith('part-'));
    await truncate(path.join(newest!.dir, '_metadata'));
    await truncate(path.join(second!.dir, second!.metadata.files[0]!.name));

    const log = new EventLog();
    await buildPipeline(JOB, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, retain: RETAIN, dir: checkpointRoot },
      restore: 'latest',
      onEvent: log.onEvent,
    });

    expect(log.of('checkpoint-skipped').map((event) => event.checkpointId)).toEqual([newest!.checkpointId, second!.checkpointId]);
    expect(log.of('restored').map((event) => event.checkpointId)).toEqual([third!.checkpointId]);
    const rolledBack = log.of('rolled-back');
    expect(rolledBack.length).toBeGreaterThan(0);
    for (const event of rolledBack) {
      expect(event.checkpointId).toBe(third!.checkpointId);
      for (const item of event.items) expect(item).toContain(path.join(output, `.rolled-back-chk-${third!.checkpointId}`));
    }
    // The failed run committed part files after the third newest checkpoint: they are the ones set aside.
    const setAside = rolledBack.flatMap((event) => event.items.map((item) => path.basename(item)));
    expect(setAside.every((name) => committedBefore.includes(name))).toBe(true);

    const lines = await committedLines(output);
    expect(multisetDifference(lines, expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });
});
