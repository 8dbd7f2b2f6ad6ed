/**
 * `sluice run --debloat-target <ms|off>` sets the run's buffer debloating target (the job's own
 * setting otherwise), and a value that is neither a positive number nor `off` is a usage error
 * with exit code 2 that says what it takes.
 */
import { describe, expect, it } from 'vitest';
import { parseRunArguments } from '../../src/cli/run-options.js';
import type { RunConfiguration } from '../../src/cli/run-options.js';
import { COUNTING_JOB, runCli } from './support/cli.js';

describe('--debloat-target', () => {
  it.each([
    [['job.js', '--debloat-target', '250'], 250],
    [['job.js', '--debloat-target', 'off'], 'off'],
    [['job.js'], undefined],
  ] as const)('%j sets %j', (args, expected) => {
    const config = parseRunArguments([...args]) as RunConfiguration;
    expect(config.debloatTargetMs).toBe(expected);
    expect(config.jobOptions).toEqual({});
  });

  it.each(['0', '-5', 'fast'])('refuses %s with exit 2', async (value) => {
    const result = await runCli(['run', COUNTING_JOB, '--debloat-target', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--debloat-target takes a positive number of milliseconds or 'off', got ${value}`);
  });
});
