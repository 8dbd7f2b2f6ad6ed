import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCountingOutput } from '../fixtures/cli/counting-job.js';
import { COUNTING_JOB, committedLines, runCli } from './support/cli.js';

describe('sluice run --checkpoint-mode', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-chk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes checkpoints into <dir>/<job>/chk-<n>, keeps --retain of them, reports each, and commits the exact output', async () => {
    const output = path.join(dir, 'out');
    const checkpointDir = path.join(dir, 'checkpoints');
    const sizes = { count: 12_000, keys: 40, seed: 3 };
    const result = await runCli([
      'run', COUNTING_JOB, '--output', output, '--count', String(sizes.count), '--keys', String(sizes.keys), '--seed', String(sizes.seed),
      '--parallelism', '2',
      '--checkpoint-mode', 'aligned', '--checkpoint-interval', '100', '--checkpoint-dir', checkpointDir, '--retain', '3',
    ]);
    expect(result.code, result.stderr).toBe(0);

    const reported = [...result.stderr.matchAll(/^sluice: checkpoint (\d+) completed in .+: .+ on disk \(.+ raw\), .+ in-flight persisted, 3\/3 subtasks( \([12] finished before it\))?$/gm)].map((match) => Number(match[1]));
    expect(reported.length).toBeGreaterThanOrEqual(2);
    expect(new Set(reported).size).toBe(reported.length);
    const summary = /checkpoints: (\d+) completed, (\d+) failed; failures: 0; restarts: 0/.exec(result.stderr);
    expect(Number(summary?.[1])).toBe(reported.length);

    const kept = (await readdir(path.join(checkpointDir, 'counting'))).filter((name) => /^chk-\d+$/.test(name));
    const completed = kept.filter((name) => existsSync(path.join(checkpointDir, 'counting', name, '_metadata')));
    expect(completed.length).toBeGreaterThanOrEqual(1);
    expect(completed.length).toBeLessThanOrEqual(3);
    // The newest reported checkpoints are the ones retention kept.
    const newest = [...reported].sort((a, b) => b - a).slice(0, completed.length).map((id) => `chk-${id}`);
    expect(completed.sort()).toEqual(newest.sort());

    expect(await committedLines(output)).toEqual(expectedCountingOutput(sizes));
  });
});
