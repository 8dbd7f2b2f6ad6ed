/**
 * Buffer debloating. A keyed tally that costs about 20 us a record reads from 1 MiB rings: without
 * debloating the rings fill and every unaligned checkpoint persists about a ring per channel;
 * with a 20 ms target each channel's in-flight limit follows the tally's throughput down towards
 * the 4 KiB minimum, the producers respect it, and checkpoints persist a fraction of that. The
 * statistics report each input channel's in-flight bytes and limit. After an injected failure and
 * a restore, in unaligned and aligned mode, the job with debloating on commits exactly the
 * failure-free output.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKPRESSURED,
  EventLog,
  NO_DIFFERENCE,
  TALLY,
  buildPipeline,
  committedLines,
  completed,
  expectedLines,
  multisetDifference,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';
import type { InjectedFault, JobShape } from './support/jobs.js';

const MIB = 1 << 20;
const SLOW: JobShape = { ...BACKPRESSURED, name: 'debloat', count: 150_000, costMicros: 15, channelBytes: MIB, perRecord: false };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

async function run(label: string, shape: JobShape, mode: 'aligned' | 'unaligned', faults: readonly InjectedFault[] = []) {
  const output = path.join(tmp.path, `${label}-out`);
  const log = new EventLog();
  const result = await buildPipeline(shape, transactionalLines(output)).execute({
    checkpoints: { mode, intervalMs: 40, dir: path.join(tmp.path, `${label}-checkpoints`) },
    restart: { type: 'fixed-delay', attempts: faults.length + 1, delayMs: 10 },
    faults,
    onEvent: log.onEvent,
  });
  return { result, log, output };
}

/** The tally's input channels as each completed checkpoint saw them. */
function tallyChannels(result: Awaited<ReturnType<typeof run>>['result']) {
  return completed(result).flatMap((stats) =>
    stats.subtasks.filter((subtask) => subtask.operator.startsWith(TALLY)).flatMap((subtask) => subtask.inputChannels ?? []),
  );
}

describe('buffer debloating', () => {
  it('keeps in-flight data and persisted bytes far below the rings, and reports both per channel', async () => {
    const off = await run('off', { ...SLOW, debloatTargetMs: 'off' }, 'unaligned');
    const on = await run('on', { ...SLOW, debloatTargetMs: 20 }, 'unaligned');

    const offChannels = tallyChannels(off.result);
    const onChannels = tallyChannels(on.result);
    expect(offChannels.length).toBeGreaterThan(0);
    expect(onChannels.length).toBeGreaterThan(0);
    // Off: every limit is the ring's capacity, and the rings filled up.
    expect(offChannels.every((channel) => channel.limitBytes === MIB)).toBe(true);
    expect(Math.max(...offChannels.map((channel) => channel.inFlightBytes))).toBeGreaterThan(MIB / 2);
    // On: once the throughput was measured, limits came down near the minimum, and the data in
    // flight followed (a producer may still hold what it wrote under a higher limit for a while).
    const settled = onChannels.slice(Math.floor(onChannels.length / 2));
    expect(Math.max(...settled.map((channel) => channel.limitBytes))).toBeLessThan(MIB / 4);
    const mean = (channels: typeof onChannels) => channels.reduce((sum, channel) => sum + channel.inFlightBytes, 0) / channels.length;
    expect(mean(settled)).toBeLessThan(mean(offChannels) / 4);

    const persisted = (result: typeof off.result) => Math.max(...completed(result).slice(-3).map((stats) => stats.persistedInFlightBytes));
    expect(persisted(on.result)).toBeLessThan(persisted(off.result) / 4);

    // Both committed everything.
    const expected = expectedLines(SLOW);
    expect(multisetDifference(await committedLines(off.output), expected)).toEqual(NO_DIFFERENCE);
    expect(multisetDifference(await committedLines(on.output), expected)).toEqual(NO_DIFFERENCE);
  });

  it.each(['aligned', 'unaligned'] as const)('commits exactly the failure-free output after a failure and a restore, %s', async (mode) => {
    // Late enough that checkpoints completed before it: the restart restores one.
    const faults: InjectedFault[] = [{ operator: TALLY, subtask: 0, kind: 'throw', afterRecords: 50_000, attempt: 0 }];
    const { result, log, output } = await run(`failures-${mode}`, { ...SLOW, debloatTargetMs: 20 }, mode, faults);
    expect(result.restarts).toBe(faults.length);
    expect(log.of('restored')).toHaveLength(faults.length);
    expect(multisetDifference(await committedLines(output), expectedLines(SLOW))).toEqual(NO_DIFFERENCE);
  });
});
