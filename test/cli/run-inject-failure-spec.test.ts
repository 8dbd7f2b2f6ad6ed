import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCountingOutput } from '../fixtures/cli/counting-job.js';
import { COUNTING_JOB, committedLines, runCli } from './support/cli.js';

describe('sluice run --inject-failure', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-fault-spec-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('injects exactly the failures named, each in its attempt, and an unaligned job recovers to the exact output', async () => {
    const output = path.join(dir, 'out');
    const sizes = { count: 20_000, keys: 50, seed: 0 };
    const result = await runCli([
      'run', COUNTING_JOB, '--output', output, '--count', String(sizes.count), '--parallelism', '2',
      '--checkpoint-mode', 'unaligned', '--checkpoint-interval', '100', '--checkpoint-dir', path.join(dir, 'checkpoints'),
      '--inject-failure', 'count:1:throw:after-records=3000',
      '--inject-failure', 'commit:0:exit:after-snapshot:1',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      [
        'sluice: injecting 2 failures:',
        "  attempt 0: 'count' subtask 1 throws after 3000 records",
        "  attempt 1: 'commit' subtask 0 exits (its worker thread ends) at after-snapshot of the attempt's first checkpoint",
      ].join('\n'),
    );
    expect(result.stderr).toMatch(/^sluice: attempt 0 failed: operator 'count -> commit' \(subtask 1\/2\) failed .*injected failure: .* after \d+ records$/m);
    expect(result.stderr).toMatch(/^sluice: attempt 1 failed: the worker thread of 'count -> commit' subtask 0\/2 died/m);
    expect(result.stderr.match(/^sluice: restored the state of checkpoint \d+ from /gm)?.length).toBeGreaterThanOrEqual(1);
    expect(result.stderr).toMatch(/failures: 2; restarts: 2/);

    expect(await committedLines(output)).toEqual(expectedCountingOutput(sizes));
  });
});
