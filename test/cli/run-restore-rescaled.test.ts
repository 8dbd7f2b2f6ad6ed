/**
 * `sluice run ... --restore <savepoint> --parallelism N` at another parallelism than the
 * savepoint's: the job resumes with its keyed state and sink transactions redistributed, and the
 * committed output is exactly that of one failure-free run, going up (2 -> 3) and down (3 -> 1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCountingOutput } from '../fixtures/cli/counting-job.js';
import { COUNTING_JOB, committedLines, runCli, startCli } from './support/cli.js';

describe('sluice run --restore at another --parallelism', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-rescale-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [2, 3],
    [3, 1],
  ])('savepoint taken at parallelism %i resumes at %i with the exact output', async (from, to) => {
    const output = path.join(dir, `out-${from}-${to}`);
    const savepoint = path.join(dir, `savepoint-${from}-${to}`);
    const sizes = { count: 16_000, keys: 40, seed: 3 };
    const common = ['--output', output, '--count', String(sizes.count), '--keys', String(sizes.keys), '--seed', String(sizes.seed)];
    const checkpoints = ['--checkpoint-mode', 'unaligned', '--checkpoint-interval', '100', '--checkpoint-dir', path.join(dir, `checkpoints-${from}-${to}`)];
    const running = startCli(['run', COUNTING_JOB, ...common, '--parallelism', String(from), ...checkpoints, '--savepoint-on-exit', savepoint]);
    await running.waitForStderr(/^sluice: checkpoint \d+ completed/m, 2);
    running.child.kill('SIGINT');
    const stopped = await running.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect((await committedLines(output)).length).toBeLessThan(sizes.count);

    const resumed = await runCli(['run', COUNTING_JOB, ...common, '--parallelism', String(to), ...checkpoints, '--restore', savepoint]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^sluice: restored the state of checkpoint \\d+ from ${savepoint}$`, 'm'));
    expect(await committedLines(output)).toEqual(expectedCountingOutput(sizes));
  });
});
