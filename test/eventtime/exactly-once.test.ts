/**
 * Event time under failures, per checkpoint mode: an out-of-order generated stream (bounded
 * out-of-orderness watermarks, parallelism 2) counted per key in tumbling event-time windows,
 * once by the window operator and once by event-time timers in a process function, each slower
 * than the generator (16 KiB channels stay full), into the exactly-once file sink. The job fails
 * five times (thrown errors and hard exits, after records and around checkpoints) and restarts
 * from its latest completed checkpoint each time: what it commits is exactly the windows of a
 * failure-free run, computed directly. Windows and timers in flight at a failure, and the
 * watermark, came back from the checkpoint; with unaligned checkpoints, from in-flight data too.
 * At-least-once loses no window and no record of a window.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointOptions } from '../../src/checkpoint/checkpoint-config.js';
import type { InjectedFault } from '../../src/runtime/deployment.js';
import { EventLog, NO_DIFFERENCE, committedLines, completed, multisetDifference, temporaryDirectory } from '../recovery/support/jobs.js';
import { expectedWindowLines } from './support/reference.js';
import { COUNT, windowedCountJob } from './support/windowed-count-job.js';
import type { WindowedCountKind } from './support/windowed-count-job.js';

const JOB = { seed: 5, count: 40_000, keys: 32, sizeMs: 500 };

type Kind = WindowedCountKind;

function buildJob(kind: Kind, output: string, parallelism = 2) {
  return windowedCountJob(kind, output, JOB, { name: `eventtime-${kind}`, parallelism, channelBytes: 16_384 });
}

/** One failure per attempt. */
const FAULTS: readonly InjectedFault[] = [
  { operator: COUNT, subtask: 1, kind: 'throw', afterRecords: 6_000, attempt: 0 },
  { operator: COUNT, subtask: 0, kind: 'exit', atCheckpoint: { phase: 'after-snapshot' }, attempt: 1 },
  { operator: 'gen', subtask: 1, kind: 'throw', atCheckpoint: { phase: 'before-snapshot' }, attempt: 2 },
  { operator: COUNT, subtask: 1, kind: 'exit', atCheckpoint: { phase: 'after-ack' }, attempt: 3 },
  { operator: COUNT, subtask: 0, kind: 'throw', afterRecords: 3_000, attempt: 4 },
];

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
const expected = expectedWindowLines(JOB);

beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-eventtime-');
});
afterAll(() => tmp.remove());

async function runWithFailures(kind: Kind, checkpoints: Omit<CheckpointOptions, 'dir'>, label: string) {
  const output = path.join(tmp.path, `${label}-out`);
  const log = new EventLog();
  const result = await buildJob(kind, output).execute({
    checkpoints: { intervalMs: 30, ...checkpoints, dir: path.join(tmp.path, `${label}-checkpoints`) },
    restart: { type: 'fixed-delay', attempts: FAULTS.length + 1, delayMs: 10 },
    faults: FAULTS,
    onEvent: log.onEvent,
  });
  return { result, log, lines: await committedLines(output) };
}

describe.each(['window', 'timers'] as const)('%s count', (kind) => {
  describe.each([
    { mode: 'aligned' as const },
    { mode: 'unaligned' as const },
    { mode: 'aligned-timeout' as const, alignmentTimeoutMs: 1 },
  ])('$mode checkpoints', ({ mode, alignmentTimeoutMs }) => {
    it('commit exactly the windows of a failure-free run after five failures', async () => {
      const { result, log, lines } = await runWithFailures(
        kind,
        { mode, ...(alignmentTimeoutMs === undefined ? {} : { alignmentTimeoutMs }) },
        `${kind}-${mode}`,
      );
      expect(result.restarts).toBe(FAULTS.length);
      expect(log.of('restored')).toHaveLength(FAULTS.length);
      expect(multisetDifference(lines, expected)).toEqual(NO_DIFFERENCE);
      if (mode === 'unaligned') {
        expect(completed(result).some((stats) => stats.persistedInFlightBytes > 0)).toBe(true);
      }
    });
  });

  it('at-least-once checkpoints lose no window and no record of one after five failures', async () => {
    const { result, lines } = await runWithFailures(kind, { mode: 'at-least-once' }, `${kind}-at-least-once`);
    expect(result.restarts).toBe(FAULTS.length);
    // A record replayed may be counted twice, and a window fire twice; none is missing or short.
    const committed = new Map<string, number>();
    for (const line of lines) {
      const at = line.lastIndexOf(':', line.lastIndexOf(':') - 1);
      const id = line.slice(0, at);
      committed.set(id, Math.max(committed.get(id) ?? 0, Number(line.slice(at + 1).split(':')[0])));
    }
    const short = expected.filter((line) => {
      const at = line.lastIndexOf(':', line.lastIndexOf(':') - 1);
      return (committed.get(line.slice(0, at)) ?? 0) < Number(line.slice(at + 1).split(':')[0]);
    });
    expect(short).toEqual([]);
  });
});
