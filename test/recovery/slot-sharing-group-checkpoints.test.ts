/**
 * Checkpoints of a job whose sink is in a slot sharing group of its own: at parallelism 2 the
 * generator and the keyed tally run on two threads, the transactional sink on two others, and
 * the forward channel between tally and sink crosses threads (the sink is no longer chained).
 * Each mode survives a thrown error in the tally and hard exits of a sink thread and of a
 * source thread, and commits exactly the lines of a failure-free run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKPRESSURED,
  NO_DIFFERENCE,
  SINK,
  SOURCE,
  TALLY,
  completed,
  expectedLines,
  multisetDifference,
  runWithFaults,
  temporaryDirectory,
} from './support/jobs.js';
import type { InjectedFault, JobShape } from './support/jobs.js';

const GROUPED: JobShape = { ...BACKPRESSURED, name: 'sink-group', count: 40_000, sinkGroup: 'sink' };

const FAULTS: readonly InjectedFault[] = [
  { operator: TALLY, subtask: 1, kind: 'throw', afterRecords: 8_000, attempt: 0 },
  { operator: SINK, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-snapshot' }, attempt: 1 },
  { operator: SOURCE, subtask: 1, kind: 'exit', atCheckpoint: { phase: 'after-ack' }, attempt: 2 },
];

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe.each(['aligned', 'unaligned', 'aligned-timeout'] as const)('%s checkpoints with the sink in its own slot sharing group', (mode) => {
  it('commit exactly the failure-free output after a throw and two exits', async () => {
    const { result, log, lines } = await runWithFaults(GROUPED, mode, FAULTS, tmp.path);

    expect(result.restarts).toBe(FAULTS.length);
    expect(log.of('failed').map((event) => event.attempt)).toEqual([0, 1, 2]);
    expect(log.of('restored')).toHaveLength(FAULTS.length);
    expect(completed(result).length).toBeGreaterThan(0);
    // The sink is a vertex of its own: its subtasks acknowledged checkpoints apart from the tally's.
    expect(completed(result).every((stats) => stats.subtasks.some((subtask) => subtask.operator === SINK))).toBe(true);
    expect(multisetDifference(lines, expectedLines(GROUPED))).toEqual(NO_DIFFERENCE);
  });
});
