/**
 * `job.results()` delivers exactly the output of a failure-free run, each record once, although
 * the job fails five times and restarts from its latest checkpoint each time: a record reaches the
 * loop only once the checkpoint after it completed. The job is the recovery tests' backpressured
 * keyed job (generator -> keyBy -> slow keyed tally -> sink), with a results sink at its end and
 * failures in the tally, in the sink's own subtasks (chained to the tally) and at the source.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice } from '../recovery/support/compiled.js';
import {
  BACKPRESSURED,
  EventLog,
  FIVE_FAULTS,
  NO_DIFFERENCE,
  buildPipeline,
  completed,
  expectedLines,
  multisetDifference,
  temporaryDirectory,
} from '../recovery/support/jobs.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
const expected = expectedLines(BACKPRESSURED);

beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-results-');
});
afterAll(() => tmp.remove());

describe.each(['aligned', 'unaligned'] as const)('job.results() with %s checkpoints', (mode) => {
  it('yields exactly the lines of a failure-free run after five failures', async () => {
    const log = new EventLog();
    const job = buildPipeline(BACKPRESSURED, sluice.resultsSink<string>()).start({
      checkpoints: { mode, intervalMs: 30, dir: path.join(tmp.path, `${mode}-checkpoints`) },
      restart: { type: 'fixed-delay', attempts: FIVE_FAULTS.length + 1, delayMs: 10 },
      faults: FIVE_FAULTS,
      onEvent: log.onEvent,
    });
    const lines: string[] = [];
    for await (const line of job.results<string>()) lines.push(line);
    const result = await job.done;

    expect(result.restarts).toBe(FIVE_FAULTS.length);
    expect(log.of('restored')).toHaveLength(FIVE_FAULTS.length);
    expect(completed(result).length).toBeGreaterThan(FIVE_FAULTS.length);
    expect(multisetDifference(lines, expected)).toEqual(NO_DIFFERENCE);
  });
});

describe('job.results() without checkpoints', () => {
  it('yields every line of the job as it comes', async () => {
    const job = buildPipeline({ ...BACKPRESSURED, costMicros: 0, count: 20_000 }, sluice.resultsSink<string>()).start();
    const lines: string[] = [];
    for await (const line of job.results<string>()) lines.push(line);
    await job.done;
    expect(multisetDifference(lines, expectedLines({ ...BACKPRESSURED, count: 20_000 }))).toEqual(NO_DIFFERENCE);
  });
});
