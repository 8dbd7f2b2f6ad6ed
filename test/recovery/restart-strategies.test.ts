/**
 * Restart strategies. `none` (and no strategy at all) fails the job on its first failure with a
 * JobFailedError; `fixed-delay` restarts at most `attempts` times, so a job that fails once more
 * than that fails after its last restart, and one that fails exactly that often finishes;
 * `exponential-backoff` waits `initialDelayMs * multiplier^(n-1)`, capped at `maxDelayMs`, before
 * restart n. Delays are checked as the numbers the strategy gives, never as measured time.
 */
import { describe, expect, it } from 'vitest';
import type { RestartStrategy } from '../../src/checkpoint/checkpoint-config.js';
import { restartDelayMs } from '../../src/checkpoint/checkpoint-config.js';
import type { ExecuteOptions } from '../../src/index.js';
import { sluice } from './support/compiled.js';
import { BACKPRESSURED, EventLog, NO_DIFFERENCE, SOURCE, TALLY, buildPipeline, expectedTotals, failureOf, multisetDifference } from './support/jobs.js';
import type { InjectedFault } from './support/jobs.js';

/** A quick job that emits only its per-key totals, into a collect sink: without checkpoints a restart starts over. */
const JOB = { ...BACKPRESSURED, name: 'restarts', count: 20_000, costMicros: 0, perRecord: false };

/** A thrown failure of a different subtask in each attempt, so the error tells which attempt failed last. */
const fault = (attempt: number): InjectedFault => ({
  operator: attempt % 2 === 0 ? TALLY : SOURCE,
  subtask: attempt % 2,
  kind: 'throw',
  afterRecords: 2000,
  attempt,
});
const faults = (count: number) => Array.from({ length: count }, (_, attempt) => fault(attempt));

function run(options: ExecuteOptions) {
  const log = new EventLog();
  const result = buildPipeline(JOB, sluice.collectSink<string>()).execute({ ...options, onEvent: log.onEvent });
  return { log, result };
}

describe('restart strategies', () => {
  it.each([{ restart: { type: 'none' } as RestartStrategy }, { restart: undefined }])(
    'restart $restart fails the job on its first failure',
    async ({ restart }) => {
      const { log, result } = run({ restart, faults: faults(1) });
      const error = await failureOf(result);
      expect(error).toBeInstanceOf(sluice.JobFailedError);
      expect(error.message).toMatch(/^operator 'tally -> out' \(subtask 0\/2\) failed .*injected failure: 'tally -> out' subtask 0 after \d+ records$/);
      expect(log.sequence).toEqual(['failed']);
    },
  );

  it('fixed-delay with 1 attempt fails on the second failure, after one restart', async () => {
    const { log, result } = run({ restart: { type: 'fixed-delay', attempts: 1, delayMs: 10 }, faults: faults(2) });
    const error = await failureOf(result);
    expect(error).toBeInstanceOf(sluice.JobFailedError);
    expect(error.message).toMatch(/injected failure: 'gen' subtask 1 after \d+ records$/);
    expect(log.sequence).toEqual(['failed', 'restarting', 'failed']);
    expect(log.of('restarting')).toEqual([{ type: 'restarting', attempt: 1, delayMs: 10 }]);
    expect(log.of('failed').map((event) => event.attempt)).toEqual([0, 1]);
  });

  it('fixed-delay with 2 attempts survives the same two failures, with exact output', async () => {
    const { log, result } = run({ restart: { type: 'fixed-delay', attempts: 2, delayMs: 10 }, faults: faults(2) });
    const finished = await result;
    expect(finished.restarts).toBe(2);
    expect(log.sequence).toEqual(['failed', 'restarting', 'failed', 'restarting']);
    expect(multisetDifference(sluice.collected<string>(finished, 'out'), expectedTotals(JOB))).toEqual(NO_DIFFERENCE);
  });

  it('exponential-backoff restarts with growing, capped delays', async () => {
    const restart: RestartStrategy = { type: 'exponential-backoff', attempts: 3, initialDelayMs: 5, maxDelayMs: 12 };
    const { log, result } = run({ restart, faults: faults(3) });
    const finished = await result;
    expect(finished.restarts).toBe(3);
    expect(log.of('restarting').map((event) => event.delayMs)).toEqual([5, 10, 12]);
    expect(multisetDifference(sluice.collected<string>(finished, 'out'), expectedTotals(JOB))).toEqual(NO_DIFFERENCE);
  });
});

describe('restartDelayMs', () => {
  it('none never restarts', () => {
    expect(restartDelayMs({ type: 'none' }, 1)).toBeUndefined();
  });

  it('fixed-delay gives its delay for restarts 1..attempts, then none', () => {
    const strategy: RestartStrategy = { type: 'fixed-delay', attempts: 3, delayMs: 250 };
    expect([1, 2, 3, 4, 5].map((n) => restartDelayMs(strategy, n))).toEqual([250, 250, 250, undefined, undefined]);
  });

  it('exponential-backoff doubles by default and stops at maxDelayMs', () => {
    const strategy: RestartStrategy = { type: 'exponential-backoff', attempts: 7, initialDelayMs: 100, maxDelayMs: 2000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelayMs(strategy, n))).toEqual([100, 200, 400, 800, 1600, 2000, 2000, undefined]);
  });

  it('exponential-backoff with a multiplier', () => {
    const strategy: RestartStrategy = { type: 'exponential-backoff', attempts: 4, initialDelayMs: 10, maxDelayMs: 1000, multiplier: 3 };
    expect([1, 2, 3, 4, 5].map((n) => restartDelayMs(strategy, n))).toEqual([10, 30, 90, 270, undefined]);
  });

  it('exponential-backoff with multiplier 1 is a fixed delay; with unlimited attempts it never gives up', () => {
    expect(restartDelayMs({ type: 'exponential-backoff', attempts: 2, initialDelayMs: 40, maxDelayMs: 100, multiplier: 1 }, 2)).toBe(40);
    const forever: RestartStrategy = { type: 'exponential-backoff', attempts: Infinity, initialDelayMs: 1, maxDelayMs: 60_000 };
    expect(restartDelayMs(forever, 1000)).toBe(60_000);
  });
});
