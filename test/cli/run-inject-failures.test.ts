import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCountingOutput } from '../fixtures/cli/counting-job.js';
import { COUNTING_JOB, committedLines, runCli } from './support/cli.js';

describe('sluice run --inject-failures', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-faults-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the seeded plan, fails once per attempt, restarts, restores, and commits what a failure-free run commits', async () => {
    const output = path.join(dir, 'out');
    // --seed also seeds the job's generator: the job module sees it as its own option.
    const sizes = { count: 16_000, keys: 50, seed: 7 };
    // Seed 7 draws: attempt 0 fails at a phase of its first checkpoint, attempt 1 after some
    // thousand records (of at most --inject-max-records), by when checkpoints have completed,
    // so attempt 2 restores one. The rate keeps that many records well after the first checkpoint.
    const result = await runCli([
      'run', COUNTING_JOB, '--output', output, '--count', String(sizes.count), '--rate', '8000', '--parallelism', '2',
      '--checkpoint-mode', 'aligned', '--checkpoint-interval', '100', '--checkpoint-dir', path.join(dir, 'checkpoints'),
      '--inject-failures', '2', '--seed', '7', '--inject-max-records', '10000',
    ]);
    expect(result.code, result.stderr).toBe(0);

    expect(result.stderr).toMatch(/^sluice: injecting 2 failures, seed 7:$/m);
    const plan = [...result.stderr.matchAll(/^ {2}attempt (\d): '(count|commit)' subtask [01] (throws|exits)/gm)];
    expect(plan.map((line) => [Number(line[1]), line[3]])).toEqual([[0, 'throws'], [1, 'exits']]);
    expect(result.stderr).toMatch(/^sluice: attempt 0 failed: .*injected failure/m);
    expect(result.stderr).toMatch(/^sluice: attempt 1 failed: .*died/m);
    expect(result.stderr.match(/^sluice: restarting in 100 ms \(restart \d of at most 5\)$/gm)).toHaveLength(2);
    expect(result.stderr).toMatch(/^sluice: restored the state of checkpoint \d+ from .*chk-\d+$/m);
    expect(result.stderr).toMatch(/failures: 2; restarts: 2/);

    expect(await committedLines(output)).toEqual(expectedCountingOutput(sizes));
  });
});
