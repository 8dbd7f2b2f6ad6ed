/**
 * Checkpoint, restore and restart options that cannot work are ConfigurationErrors
 * (SLUICE_CONFIGURATION) from `execute()`, before any subtask starts, with a message that says
 * which option is wrong and why; savepoints of a job that takes no checkpoints likewise.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecuteOptions } from '../../src/index.js';
import { sluice } from './support/compiled.js';
import { BACKPRESSURED, buildPipeline, failureOf, temporaryDirectory } from './support/jobs.js';

const JOB = { ...BACKPRESSURED, name: 'misconfigured', count: 1000 };

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory();
});
afterAll(() => tmp.remove());

/** Runs the job with `options` and returns the ConfigurationError it rejects with. */
async function configurationError(options: ExecuteOptions): Promise<Error> {
  const error = await failureOf(buildPipeline(JOB, sluice.discardSink()).execute(options));
  expect(error).toBeInstanceOf(sluice.ConfigurationError);
  expect(error.code).toBe('SLUICE_CONFIGURATION');
  return error;
}

describe('configuration errors', () => {
  it('unaligned and aligned-with-timeout checkpoints with maxConcurrent above 1', async () => {
    const dir = path.join(tmp.path, 'concurrent');
    for (const mode of ['unaligned', 'aligned-timeout'] as const) {
      const error = await configurationError({ checkpoints: { mode, maxConcurrent: 2, dir } });
      expect(error.message).toBe(
        `checkpoints.maxConcurrent is 2, but ${mode} checkpoints run one at a time ` +
          '(their in-flight data is recorded per checkpoint, as in Flink); set maxConcurrent to 1',
      );
    }
    // Nothing ran: no checkpoint directory was made.
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('alignmentTimeoutMs in a mode other than aligned-timeout', async () => {
    for (const mode of ['aligned', 'unaligned', 'at-least-once'] as const) {
      const error = await configurationError({ checkpoints: { mode, alignmentTimeoutMs: 50, dir: tmp.path } });
      expect(error.message).toBe(`checkpoints.alignmentTimeoutMs applies to mode 'aligned-timeout' only; the mode is '${mode}'`);
    }
  });

  it('a mode that does not exist', async () => {
    const error = await configurationError({ checkpoints: { mode: 'exactly-once' as never, dir: tmp.path } });
    expect(error.message).toBe('checkpoints.mode must be one of aligned, unaligned, aligned-timeout, at-least-once; got exactly-once');
  });

  it("restore: 'latest' without checkpoints", async () => {
    const error = await configurationError({ restore: 'latest' });
    expect(error.message).toBe("restore: 'latest' needs checkpoints ({ checkpoints: { mode, dir } }) to know where to look");
  });

  it('numbers out of range', async () => {
    const cases: Array<[ExecuteOptions, string]> = [
      [{ checkpoints: { mode: 'aligned', intervalMs: 0, dir: tmp.path } }, 'checkpoints.intervalMs must be an integer >= 1, got 0'],
      [{ checkpoints: { mode: 'aligned', retain: 0, dir: tmp.path } }, 'checkpoints.retain must be an integer >= 1, got 0'],
      [{ checkpoints: { mode: 'aligned', tolerableFailures: -1, dir: tmp.path } }, 'checkpoints.tolerableFailures must be an integer >= 0, got -1'],
      [{ restart: { type: 'fixed-delay', attempts: 0, delayMs: 10 } }, 'restart.attempts must be an integer >= 1, got 0'],
      [{ restart: { type: 'sometimes' } as never }, "restart.type must be 'none', 'fixed-delay' or 'exponential-backoff', got sometimes"],
    ];
    for (const [options, message] of cases) expect((await configurationError(options)).message).toBe(message);
  });

  it('a savepoint of a job that takes no checkpoints', async () => {
    const idle = buildPipeline(JOB, sluice.discardSink());
    await expect(idle.savepoint(path.join(tmp.path, 'idle-savepoint'))).rejects.toThrow('pipeline.savepoint() needs a running execute()');

    const pipeline = buildPipeline({ ...JOB, count: 10_000_000, costMicros: 0 }, sluice.discardSink());
    const running = pipeline.execute();
    await sleep(200); // past planning: the job is deploying or running
    const error = await failureOf(pipeline.savepoint(path.join(tmp.path, 'savepoint')));
    pipeline.cancel();
    await expect(running).rejects.toBeInstanceOf(sluice.JobCancelledError);
    expect(error).toBeInstanceOf(sluice.ConfigurationError);
    expect(error.message).toMatch(/a savepoint needs a running job with checkpoints enabled/);
  });
});
