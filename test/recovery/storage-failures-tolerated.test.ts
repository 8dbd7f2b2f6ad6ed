/**
 * Checkpoint storage failing mid-run (ENOSPC on snapshot writes, injected through the storage
 * layer's write-fault hook) counts against `tolerableFailures` as consecutive failures: two in a
 * row with one tolerated fail the attempt, and the restart strategy restarts the job from its
 * latest completed checkpoint, ending with exact output; failures separated by a completed
 * checkpoint are tolerated (a success resets the count) and the job runs through without a restart.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storage } from './support/compiled.js';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  buildPipeline,
  committedLines,
  expectedLines,
  multisetDifference,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'enospc', count: 100_000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());
afterEach(() => storage.setStorageWriteFault(undefined));

/** Fails every snapshot write of the checkpoints in `ids` with ENOSPC. */
function diskFullFor(ids: ReadonlySet<number>): void {
  storage.setStorageWriteFault((file) => {
    const id = Number(/chk-(\d+)/.exec(file)?.[1]);
    if (!ids.has(id)) return undefined;
    return Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
  });
}

describe('checkpoint storage failures while running', () => {
  it('fails the attempt after more consecutive failures than tolerated, and the restart recovers exactly', async () => {
    diskFullFor(new Set([3, 4]));
    const output = path.join(tmp.path, 'restart-out');
    const log = new EventLog();
    const result = await buildPipeline(JOB, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, tolerableFailures: 1, dir: path.join(tmp.path, 'restart-checkpoints') },
      restart: { type: 'fixed-delay', attempts: 2, delayMs: 10 },
      onEvent: log.onEvent,
    });
    const failed = log.of('failed');
    expect(failed).toHaveLength(1);
    expect((failed[0]!.error as { code?: string }).code).toBe('SLUICE_CHECKPOINT_FAILURES');
    expect(failed[0]!.error.message).toMatch(/2 checkpoints failed in a row, more than the 1 tolerated/);
    expect(failed[0]!.error.message).toMatch(/ENOSPC/);
    expect(log.sequence.slice(0, 3)).toEqual(['failed', 'restarting', 'restored']);
    expect(log.of('restored')[0]!.checkpointId).toBe(2);
    expect(result.restarts).toBe(1);
    const failedIds = result.checkpoints.filter((stats) => stats.status === 'failed' && /ENOSPC/.test(stats.failureReason ?? '')).map((stats) => stats.id);
    expect(failedIds).toEqual([3, 4]);
    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });

  it('tolerates failures that a completed checkpoint separates', async () => {
    diskFullFor(new Set([3, 5]));
    const output = path.join(tmp.path, 'tolerated-out');
    const log = new EventLog();
    const result = await buildPipeline(JOB, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, tolerableFailures: 1, dir: path.join(tmp.path, 'tolerated-checkpoints') },
      restart: { type: 'fixed-delay', attempts: 2, delayMs: 10 },
      onEvent: log.onEvent,
    });
    expect(result.restarts).toBe(0);
    expect(log.of('failed')).toEqual([]);
    const byId = new Map(result.checkpoints.map((stats) => [stats.id, stats.status]));
    expect([byId.get(3), byId.get(4), byId.get(5)]).toEqual(['failed', 'completed', 'failed']);
    expect(multisetDifference(await committedLines(output), expectedLines(JOB))).toEqual(NO_DIFFERENCE);
  });
});
