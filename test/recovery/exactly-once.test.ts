/**
 * Exactly-once recovery per checkpoint mode. A keyed stateful job (generator -> hash partition ->
 * slow keyed tally with value state -> transactional file sink, parallelism 2, 16 KiB channels,
 * so the channels stay full) fails five times in one run: thrown errors and hard exits of the
 * worker thread, after a number of records while backpressured, and before, during and after a
 * checkpoint's snapshot. Restarting from the latest completed checkpoint each time, it commits
 * exactly the lines of a failure-free run (computed directly), as a multiset. In at-least-once
 * mode no line is lost (duplicates are allowed).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointOptions } from '../../src/checkpoint/checkpoint-config.js';
import {
  BACKPRESSURED,
  EventLog,
  FIVE_FAULTS,
  NO_DIFFERENCE,
  buildPipeline,
  committedLines,
  completed,
  expectedLines,
  multisetDifference,
  temporaryDirectory,
  transactionalLines,
} from './support/jobs.js';

/** What each failure's message says, in attempt order. */
const FAILURE_MESSAGES = [
  /injected failure: 'tally -> out' subtask 1 after \d+ records/,
  /'tally -> out' subtask 0\/2 died: worker exited with code:? 70/,
  /injected failure: 'gen' subtask 1 at before-snapshot of checkpoint \d+/,
  /'tally -> out' subtask 1\/2 died: worker exited with code:? 70/,
  /injected failure: 'tally -> out' subtask 0 after \d+ records/,
];

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
const expected = expectedLines(BACKPRESSURED);

beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

async function runWithFailures(checkpoints: Omit<CheckpointOptions, 'dir'>, label: string) {
  const output = path.join(tmp.path, `${label}-out`);
  const log = new EventLog();
  const result = await buildPipeline(BACKPRESSURED, transactionalLines(output)).execute({
    checkpoints: { intervalMs: 30, ...checkpoints, dir: path.join(tmp.path, `${label}-checkpoints`) },
    restart: { type: 'fixed-delay', attempts: FIVE_FAULTS.length + 1, delayMs: 10 },
    faults: FIVE_FAULTS,
    onEvent: log.onEvent,
  });
  return { result, log, output };
}

describe.each([
  { mode: 'aligned' as const, unaligned: 'none' },
  { mode: 'unaligned' as const, unaligned: 'all' },
  // A 1 ms alignment timeout under full channels: checkpoints switch to unaligned on the way.
  { mode: 'aligned-timeout' as const, alignmentTimeoutMs: 1, unaligned: 'some' },
])('$mode checkpoints', ({ mode, alignmentTimeoutMs, unaligned }) => {
  it('commit exactly the output of a failure-free run after five failures', async () => {
    const { result, log, output } = await runWithFailures({ mode, ...(alignmentTimeoutMs === undefined ? {} : { alignmentTimeoutMs }) }, mode);

    // Every failure struck, in its attempt, and each restart restored a completed checkpoint
    // (none restarted from scratch): the restores are real.
    expect(result.restarts).toBe(FIVE_FAULTS.length);
    const failed = log.of('failed');
    expect(failed.map((event) => event.attempt)).toEqual([0, 1, 2, 3, 4]);
    failed.forEach((event, index) => expect(event.error.message).toMatch(FAILURE_MESSAGES[index]!));
    expect(log.sequence).toEqual(FIVE_FAULTS.flatMap(() => ['failed', 'restarting', 'restored']));
    const restored = log.of('restored');
    const completedIds = new Set(completed(result).map((stats) => stats.id));
    for (const event of restored) expect([...completedIds]).toContain(event.checkpointId);

    // The output: every line exactly once.
    expect(multisetDifference(await committedLines(output), expected)).toEqual(NO_DIFFERENCE);
    expect((await readdir(output)).filter((name) => name.endsWith('.inprogress'))).toEqual([]);

    // Checkpoints found data in flight: the channels were full (backpressure).
    expect(completed(result).some((stats) => stats.processedInFlightBytes + stats.persistedInFlightBytes > 0)).toBe(true);

    // The mode did what it says.
    const subtasks = completed(result).flatMap((stats) => stats.subtasks);
    const unalignedSubtasks = subtasks.filter((stats) => stats.unaligned).length;
    if (unaligned === 'none') expect(unalignedSubtasks).toBe(0);
    if (unaligned === 'all') expect(unalignedSubtasks).toBe(subtasks.length);
    if (unaligned === 'some') expect(unalignedSubtasks).toBeGreaterThan(0);
    expect(completed(result).every((stats) => stats.mode === mode)).toBe(true);
  });
});

describe('at-least-once checkpoints', () => {
  it('lose no line after five failures', async () => {
    const { result, log, output } = await runWithFailures({ mode: 'at-least-once' }, 'at-least-once');
    expect(result.restarts).toBe(FIVE_FAULTS.length);
    expect(log.of('restored')).toHaveLength(FIVE_FAULTS.length);

    const lines = await committedLines(output);
    const perRecord = (line: string) => !line.startsWith('total:');
    const difference = multisetDifference(lines.filter(perRecord), expected.filter(perRecord));
    expect(difference.missing).toBe(0);
    // Whatever is extra repeats a line of the reference.
    const known = new Set(expected);
    expect(lines.filter((line) => perRecord(line) && !known.has(line))).toEqual([]);
    // One total per key; a record applied twice raises its key's count, none is below the reference's.
    const counts = (all: readonly string[]) =>
      all.filter((line) => !perRecord(line)).map((line) => [line.split(':')[1]!, Number(line.split(':')[2])] as const);
    const expectedCounts = new Map(counts(expected));
    const actualCounts = counts(lines);
    expect(actualCounts.map(([key]) => key).sort()).toEqual([...expectedCounts.keys()].sort());
    for (const [key, count] of actualCounts) expect(count).toBeGreaterThanOrEqual(expectedCounts.get(key)!);
  });
});
