/**
 * `sluice run --restore latest` when every retained checkpoint is damaged: exit 2 before anything
 * runs, naming each damaged checkpoint, instead of starting from scratch into the existing output;
 * `--start-fresh` starts from the beginning.
 */
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli } from './support/cli.js';

describe('sluice run --restore latest with every checkpoint damaged', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-damaged-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 naming each damaged checkpoint; --start-fresh runs', async () => {
    const output = path.join(dir, 'out');
    const checkpointDir = path.join(dir, 'checkpoints');
    const job = ['run', COUNTING_JOB, '--output', output, '--count', '20000', '--checkpoint-mode', 'aligned', '--checkpoint-interval', '50', '--checkpoint-dir', checkpointDir];
    // Fails at checkpoint 2's snapshot: checkpoint 1 completed before it was triggered.
    const failed = await runCli([...job, '--inject-failure', 'count:0:throw:after-snapshot=2', '--restart', 'none']);
    expect(failed.code).toBe(1);
    const jobDir = path.join(checkpointDir, (await readdir(checkpointDir))[0]!);
    const checkpoints = (await readdir(jobDir)).filter((name) => name.startsWith('chk-'));
    expect(checkpoints.length).toBeGreaterThan(0);
    for (const name of checkpoints) {
      const handle = await open(path.join(jobDir, name, '_metadata'), 'r+');
      await handle.truncate(10);
      await handle.close();
    }

    const refused = await runCli([...job, '--restore', 'latest']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^sluice: --restore latest: every checkpoint in .* is damaged/m);
    for (const name of checkpoints) expect(refused.stderr).toContain(`checkpoint ${name.slice(4)}: `);
    expect(refused.stderr).toMatch(/--start-fresh/);

    const fresh = await runCli([...job, '--restore', 'latest', '--start-fresh', '--rate', '1000000']);
    expect(fresh.code).toBe(0);
  });
});
