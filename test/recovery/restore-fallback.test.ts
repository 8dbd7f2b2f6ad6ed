/**
 * `restore: 'latest'` falls back past a damaged checkpoint. A job that fails after several
 * checkpoints (no restart) leaves its retained checkpoints behind; the newest one's merged file is
 * then damaged in the tally's state segment (a flipped byte in it: same size, wrong SHA-256), cut
 * off inside that segment, or deleted. A new run restores the previous checkpoint instead, says
 * which file, segment and offset of which checkpoint it skipped and why (a 'checkpoint-skipped' event), numbers its own checkpoints past the damaged one, and ends
 * with exact output: per-key totals that count every record once, through the restored state and
 * the records replayed after it, and every line committed once over both runs.
 */
import { cp, open, rm, stat } from 'node:fs/promises';
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
  completed,
  expectedLines,
  expectedTotals,
  failureOf,
  multisetDifference,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'fallback', count: 100_000 };
const RETAIN = 3;

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
/** The checkpoint root and the output of the failed run, copied for each case. */
let failedRun: { checkpoints: string; output: string };
/** The newest retained checkpoint and the one before it. */
let newest: number;
let previous: number;
/** The tally's state segment in the newest checkpoint, and the file that holds it. */
let damaged: { segment: string; file: string; offset: number; bytes: number };

beforeAll(async () => {
  tmp = await temporaryDirectory();
  failedRun = { checkpoints: path.join(tmp.path, 'failed-checkpoints'), output: path.join(tmp.path, 'failed-out') };
  const error = await failureOf(
    buildPipeline(JOB, transactionalLines(failedRun.output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, retain: RETAIN, dir: failedRun.checkpoints },
      restart: { type: 'none' },
      faults: [{ operator: TALLY, subtask: 1, kind: 'throw', afterRecords: 15_000 }],
    }),
  );
  expect(error).toBeInstanceOf(sluice.JobFailedError);
  const retained = await new storage.CheckpointStorage({ checkpointDir: failedRun.checkpoints, job: JOB.name }).list();
  expect(retained.length).toBeGreaterThanOrEqual(2);
  expect(retained.length).toBeLessThanOrEqual(RETAIN);
  const last = retained[retained.length - 1]!;
  newest = last.checkpointId;
  previous = retained[retained.length - 2]!.checkpointId;
  const tally = last.metadata.subtasks.find((subtask) => subtask.operator.startsWith(TALLY) && subtask.subtaskIndex === 0);
  const segment = last.metadata.segments.find((entry) => entry.name === tally!.state)!;
  damaged = { segment: segment.name, file: segment.file, offset: segment.offset, bytes: segment.bytes };
});
afterAll(() => tmp.remove());

/** Damage done to the tally's segment of the newest checkpoint, and the words a message about it must hold. */
const DAMAGES = [
  {
    damage: 'corrupt',
    reason: /corrupt: its SHA-256 is/,
    apply: async (file: string) => {
      const handle = await open(file, 'r+');
      try {
        const at = damaged.offset + Math.floor(damaged.bytes / 2);
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, at);
        byte[0] = byte[0]! ^ 0xff;
        await handle.write(byte, 0, 1, at);
      } finally {
        await handle.close();
      }
    },
  },
  {
    damage: 'truncated',
    reason: /truncated: it has \d+ bytes, its _metadata records \d+: it is cut off from segment/,
    apply: async (file: string) => {
      const handle = await open(file, 'r+');
      try {
        await handle.truncate(damaged.offset + Math.floor(damaged.bytes / 2));
      } finally {
        await handle.close();
      }
    },
  },
  { damage: 'missing', reason: /is missing/, apply: (file: string) => rm(file) },
] as const;

describe.each(DAMAGES)("restore: 'latest' with a $damage file in the newest checkpoint", ({ damage, reason, apply }) => {
  it('restores the previous checkpoint, says why, and counts every record once', async () => {
    const checkpointRoot = path.join(tmp.path, `${damage}-checkpoints`);
    const output = path.join(tmp.path, `${damage}-out`);
    await cp(failedRun.checkpoints, checkpointRoot, { recursive: true });
    await cp(failedRun.output, output, { recursive: true });
    const jobDir = new storage.CheckpointStorage({ checkpointDir: checkpointRoot, job: JOB.name }).jobDir;
    const file = path.join(jobDir, `chk-${newest}`, damaged.file);
    await stat(file);
    await apply(file);

    const log = new EventLog();
    const result = await buildPipeline(JOB, transactionalLines(output)).execute({
      checkpoints: { mode: 'aligned', intervalMs: 20, retain: RETAIN, dir: checkpointRoot },
      restore: 'latest',
      onEvent: log.onEvent,
    });

    const skipped = log.of('checkpoint-skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.checkpointId).toBe(newest);
    expect(skipped[0]!.message).toContain(file);
    expect(skipped[0]!.message).toMatch(reason);
    if (damage !== 'missing') {
      expect(skipped[0]!.message).toContain(`${damaged.segment} (state of '`);
      expect(skipped[0]!.message).toContain(`subtask 0 of checkpoint ${newest}) at offset ${damaged.offset}`);
    }
    expect(log.of('restored').map((event) => event.checkpointId)).toEqual([previous]);
    expect(log.sequence.slice(0, 2)).toEqual(['checkpoint-skipped', 'restored']);

    // Every record counted exactly once: the per-key totals the job emits at its end ...
    const lines = await committedLines(output);
    const totals = lines.filter((line) => line.startsWith('total:'));
    expect(multisetDifference(totals, expectedTotals(JOB))).toEqual(NO_DIFFERENCE);
    // ... and every line committed once, over both runs: the transactions the failed run
    // committed after the previous checkpoint are replaced, as they are numbered from its state.
    expect(multisetDifference(lines, expectedLines(JOB))).toEqual(NO_DIFFERENCE);

    // New checkpoints are numbered past the damaged one instead of colliding with its directory.
    const taken = completed(result).map((stats) => stats.id);
    expect(taken.length).toBeGreaterThan(0);
    expect(Math.min(...taken)).toBeGreaterThan(newest);
    for (const stats of result.checkpoints) {
      if (stats.status === 'failed') expect(stats.failureReason).toMatch(/finished before acknowledging|source has ended/);
    }
  });
});
