/**
 * Checkpoints while subtasks share a thread. At parallelism 1 the whole job — generator, keyed
 * tally, transactional sink — runs in one slot on one thread, and the hash channel between the
 * source and the tally has both ends on it: the thread steps the tally while the source's ring
 * is full, and barriers (in-band or announced) travel through a ring the same thread writes and
 * reads. Each mode survives a thrown error and a hard exit of that one thread, and commits
 * exactly the lines of a failure-free run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKPRESSURED,
  NO_DIFFERENCE,
  SOURCE,
  TALLY,
  completed,
  expectedLines,
  multisetDifference,
  runWithFaults,
  temporaryDirectory,
} from './support/jobs.js';
import type { InjectedFault, JobShape } from './support/jobs.js';

const ONE_THREAD: JobShape = { ...BACKPRESSURED, name: 'one-thread', count: 40_000, parallelism: 1 };

const FAULTS: readonly InjectedFault[] = [
  { operator: TALLY, subtask: 0, kind: 'throw', afterRecords: 12_000, attempt: 0 },
  { operator: SOURCE, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-snapshot' }, attempt: 1 },
  { operator: TALLY, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-ack' }, attempt: 2 },
];

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

describe.each(['aligned', 'unaligned', 'aligned-timeout'] as const)('%s checkpoints with the whole job on one thread', (mode) => {
  it('commit exactly the failure-free output after a throw and two exits', async () => {
    const { result, log, lines } = await runWithFaults(ONE_THREAD, mode, FAULTS, tmp.path);

    expect(result.restarts).toBe(FAULTS.length);
    expect(log.of('failed').map((event) => event.attempt)).toEqual([0, 1, 2]);
    expect(log.of('restored')).toHaveLength(FAULTS.length);
    expect(completed(result).length).toBeGreaterThan(0);
    expect(multisetDifference(lines, expectedLines(ONE_THREAD))).toEqual(NO_DIFFERENCE);
  });
});
