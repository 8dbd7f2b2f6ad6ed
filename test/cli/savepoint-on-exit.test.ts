import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCountingOutput } from '../fixtures/cli/counting-job.js';
import { COUNTING_JOB, committedLines, runCli, startCli } from './support/cli.js';

describe('sluice run --savepoint-on-exit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-savepoint-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops with a savepoint on SIGINT (exit 0), and the printed resume command completes the job with the exact output', async () => {
    const output = path.join(dir, 'out');
    const savepoint = path.join(dir, 'savepoint');
    const sizes = { count: 24_000, keys: 50, seed: 0 };
    const running = startCli([
      'run', COUNTING_JOB, '--output', output, '--count', String(sizes.count), '--parallelism', '2',
      '--checkpoint-mode', 'aligned', '--checkpoint-interval', '100', '--checkpoint-dir', path.join(dir, 'checkpoints'),
      '--savepoint-on-exit', savepoint,
    ]);
    await running.waitForStderr(/^sluice: checkpoint \d+ completed/m, 2);
    running.child.kill('SIGINT');
    const stopped = await running.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/^sluice: savepoint \d+ completed in /m);
    expect(stopped.stderr).toContain(`stopped with a savepoint after`);
    expect(stopped.stderr).toMatch(new RegExp(`stopped with a savepoint after .* s: ${savepoint}$`, 'm'));
    expect(await readdir(savepoint)).toContain('_metadata');
    const partial = await committedLines(output);
    expect(partial.length).toBeLessThan(sizes.count);

    // The printed command, run as printed (the temp paths need no shell quoting).
    const resume = /^sluice: resume it with:\n {2}(sluice run .*)$/m.exec(stopped.stderr)?.[1];
    expect(resume).toBeDefined();
    expect(resume).not.toMatch(/['"\\]/);
    const [, , ...args] = resume!.split(' ');
    expect(args).not.toContain('--savepoint-on-exit');
    expect(args.slice(-2)).toEqual(['--restore', savepoint]);
    const resumed = await runCli(['run', ...args]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^sluice: restored the state of checkpoint \\d+ from ${savepoint}$`, 'm'));

    expect(await committedLines(output)).toEqual(expectedCountingOutput(sizes));
  });
});
