import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

describe('sluice --help', () => {
  it('lists the commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run <job-module | example>', 'checkpoints list <dir>', 'checkpoints inspect <path>']) expect(result.stdout).toContain(command);
  });

  it('sluice run --help lists every flag of run', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(0);
    const flags = [
      '--parallelism', '--checkpoint-mode', '--checkpoint-interval', '--checkpoint-dir', '--checkpoint-timeout', '--alignment-timeout',
      '--retain', '--restore', '--restart ', '--restart-attempts', '--restart-delay', '--restart-max-delay', '--savepoint-on-exit',
      '--inject-failures', '--seed', '--inject-max-records', '--inject-failure ',
    ];
    for (const flag of flags) expect(result.stdout, flag).toContain(flag);
    expect(result.stdout).toContain('aligned | unaligned | aligned-timeout | at-least-once');
    expect(result.stdout).toContain('<operator>:<subtask>:<throw|exit>:<trigger>[:<attempt>]');
  });

  it('sluice checkpoints --help describes list and inspect', async () => {
    const result = await runCli(['checkpoints', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sluice checkpoints list <dir> [--json]');
    expect(result.stdout).toContain('sluice checkpoints inspect <path> [--json]');
  });
});
