import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli, startCli } from './support/cli.js';

describe('sluice run exit codes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-exit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const job = (name: string) => ['run', COUNTING_JOB, '--output', path.join(dir, name), '--checkpoint-mode', 'aligned', '--checkpoint-dir', path.join(dir, name, 'checkpoints')];

  it('exits 1 when the job fails and --restart is none, and says how to let it recover', async () => {
    const result = await runCli([...job('no-restart'), '--inject-failure', 'count:0:throw:after-records=100', '--restart', 'none']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sluice: attempt 0 failed: .*injected failure/m);
    expect(result.stderr).toMatch(/^sluice: the job failed; add --restart fixed-delay to restart it from its latest checkpoint$/m);
  });

  it('exits 1 when the job fails more often than --restart-attempts allows', async () => {
    const result = await runCli([
      ...job('used-up'),
      '--inject-failure', 'count:0:throw:after-records=100', '--inject-failure', 'count:0:exit:after-records=100:1', '--restart-attempts', '1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sluice: restarting in 100 ms \(restart 1 of at most 1\)$/m);
    expect(result.stderr).toMatch(/^sluice: attempt 1 failed: /m);
    expect(result.stderr).toMatch(/^sluice: the job failed after 1 restart: it used up the 1 restart that --restart-attempts allows$/m);
  });

  it('exits 130 when SIGINT cancels a job run without --savepoint-on-exit', async () => {
    const running = startCli([...job('cancelled'), '--checkpoint-interval', '100']);
    await running.waitForStderr(/^sluice: checkpoint \d+ completed/m);
    running.child.kill('SIGINT');
    const result = await running.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/^sluice: SIGINT: cancelling the job\.\.\.$/m);
    expect(result.stderr).toMatch(/^sluice: the job was cancelled$/m);
  });
});
