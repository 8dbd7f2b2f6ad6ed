/**
 * Flags sluice does not own go to the job module, so a mistyped sluice flag would silently become
 * a job option. `sluice run` rejects a flag a typo away from one of its own with a suggestion, and
 * an unknown flag of a sluice family (`--checkpoint-*`, `--restart*`, ...) listing the family; the
 * job's own options still pass.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli } from './support/cli.js';

describe('sluice run with a mistyped sluice flag', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-flags-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    { flags: ['--paralelism', '2'], says: /unknown option --paralelism; did you mean --parallelism\?/ },
    { flags: ['--checkpoint-mode', 'aligned', '--checkpoint-intervall', '100'], says: /unknown option --checkpoint-intervall; did you mean --checkpoint-interval\?/ },
    { flags: ['--checkpoint-mode', 'aligned', '--restart-attempt', '2', '--restart', 'fixed-delay'], says: /unknown option --restart-attempt; did you mean --restart-attempts\?/ },
    { flags: ['--checkpoint-mode', 'aligned', '--checkpoint-compression', '3'], says: /unknown option --checkpoint-compression: sluice's --checkpoint-\* options are --checkpoint-mode, --checkpoint-interval/ },
  ])('$flags.0 ... exits 2 with a suggestion', async ({ flags, says }) => {
    const result = await runCli(['run', COUNTING_JOB, '--output', path.join(dir, 'out'), ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(says);
  });

  it("passes the job's own options", async () => {
    const result = await runCli(['run', COUNTING_JOB, '--output', path.join(dir, 'own'), '--count', '100', '--rate', '100000']);
    expect(result.code).toBe(0);
  });
});
