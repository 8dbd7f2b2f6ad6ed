import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli } from './support/cli.js';

/** A mistake on the command line, and what the message must tell the user. */
interface Case {
  readonly args: readonly string[];
  readonly says: RegExp;
}

const MODE = ['--checkpoint-mode', 'aligned'];

const RUN_CASES: Record<string, Case> = {
  'an unknown checkpoint mode': { args: ['--checkpoint-mode', 'exactly-twice'], says: /--checkpoint-mode must be one of aligned, unaligned, aligned-timeout, at-least-once; got 'exactly-twice'/ },
  'a checkpoint flag without --checkpoint-mode': { args: ['--checkpoint-interval', '100'], says: /--checkpoint-interval configures checkpoints, which are off: add --checkpoint-mode/ },
  '--checkpoint-dir without --checkpoint-mode': { args: ['--checkpoint-dir', '/tmp/x'], says: /--checkpoint-dir configures checkpoints, which are off: add --checkpoint-mode/ },
  '--alignment-timeout in aligned mode': { args: [...MODE, '--alignment-timeout', '50'], says: /--alignment-timeout applies to --checkpoint-mode aligned-timeout only/ },
  'a non-numeric interval': { args: [...MODE, '--checkpoint-interval', 'soon'], says: /--checkpoint-interval must be a positive integer, got 'soon'/ },
  '--inject-failures without checkpoints': { args: ['--inject-failures', '2', '--seed', '7'], says: /--inject-failures needs checkpoints.*add --checkpoint-mode/ },
  '--inject-failure without checkpoints': { args: ['--inject-failure', 'count:0:throw:after-ack'], says: /--inject-failure needs checkpoints.*add --checkpoint-mode/ },
  'an --inject-failure with too few fields': { args: [...MODE, '--inject-failure', 'count:0:throw'], says: /--inject-failure 'count:0:throw': it has 3 fields, it needs 4 or 5; the form is <operator>:<subtask>:<throw\|exit>:<trigger>\[:<attempt>\]/ },
  'an --inject-failure with a bad kind': { args: [...MODE, '--inject-failure', 'count:0:explode:after-ack'], says: /the kind 'explode' must be 'throw'.* or 'exit'/ },
  'an --inject-failure with a bad subtask': { args: [...MODE, '--inject-failure', 'count:first:throw:after-ack'], says: /the subtask 'first' must be a subtask index/ },
  'an --inject-failure with a bad trigger': { args: [...MODE, '--inject-failure', 'count:0:throw:at-noon'], says: /the trigger 'at-noon' must be after-records=<N> or a checkpoint phase \(before-snapshot, after-snapshot, after-ack\)/ },
  'an --inject-failure with a bad record count': { args: [...MODE, '--inject-failure', 'count:0:throw:after-records=0'], says: /in the trigger 'after-records=0', the record count must be an integer >= 1/ },
  'an --inject-failure naming no operator of the job': { args: [...MODE, '--inject-failure', 'counter:0:throw:after-ack'], says: /the job has no operator 'counter'; its operators are 'generate', 'count', 'commit'/ },
  'an --inject-failure naming a subtask beyond the parallelism': { args: [...MODE, '--parallelism', '2', '--inject-failure', 'count:2:exit:after-records=10'], says: /operator 'count' has parallelism 2, so its subtasks are 0 to 1; got subtask 2/ },
  'both --inject-failures and --inject-failure': { args: [...MODE, '--inject-failures', '1', '--inject-failure', 'count:0:throw:after-ack'], says: /use one or the other/ },
  '--savepoint-on-exit without checkpoints': { args: ['--savepoint-on-exit', '/tmp/sp'], says: /--savepoint-on-exit needs checkpoints.*add --checkpoint-mode/ },
  '--restore latest without checkpoints': { args: ['--restore', 'latest'], says: /--restore latest looks in the checkpoint directory: add --checkpoint-mode/ },
  '--restore of a path that is no checkpoint': { args: ['--restore', '/nonexistent/savepoint'], says: /--restore: \/nonexistent\/savepoint does not exist: give a checkpoint or savepoint directory/ },
  'restart settings without --restart': { args: ['--restart-attempts', '3'], says: /--restart-attempts configures restarts, which are off: add --restart fixed-delay/ },
  'an unknown restart strategy': { args: ['--restart', 'sometimes'], says: /--restart must be one of none, fixed-delay, exponential-backoff; got 'sometimes'/ },
  'a flag without its value': { args: ['--checkpoint-mode'], says: /--checkpoint-mode needs a value: --checkpoint-mode <aligned\|/ },
};

describe('sluice usage errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-usage-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Each case is a short-lived process that fails before any job starts: run them side by side.
  it.concurrent.for(Object.entries(RUN_CASES))('sluice run with %s exits 2 and says what to do', async ([, { args, says }], { expect }) => {
    const result = await runCli(['run', COUNTING_JOB, '--output', path.join(dir, 'out'), ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(says);
    expect(result.stderr).toMatch(/\(see 'sluice run --help'\)/);
  });

  it('refuses a non-empty --savepoint-on-exit directory before the job starts', async () => {
    const full = path.join(dir, 'full');
    await mkdir(full);
    await writeFile(path.join(full, 'marker'), '');
    const result = await runCli(['run', COUNTING_JOB, '--output', path.join(dir, 'out'), ...MODE, '--savepoint-on-exit', full]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--savepoint-on-exit ${full}: the directory is not empty (1 entry); name a new or empty directory`);
  });

  it.concurrent.for<[readonly string[], RegExp]>([
    [['checkpoints', 'list'], /give the checkpoint directory: sluice checkpoints list <dir>/],
    [['checkpoints', 'list', '/nonexistent/checkpoints'], /\/nonexistent\/checkpoints does not exist: give the --checkpoint-dir of a run/],
    [['checkpoints', 'inspect', '/nonexistent/chk-1'], /\/nonexistent\/chk-1 does not exist: give a checkpoint or savepoint directory, or its _metadata/],
    [['checkpoints', 'prune', '/tmp'], /unknown subcommand 'prune'/],
    [['checkpoints', 'list', '/tmp', '--verbose'], /unknown option --verbose/],
    [['deploy'], /unknown command 'deploy'; the commands are run, checkpoints and bench/],
  ])('sluice %j exits 2 and says what is wrong', async ([args, says], { expect }) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(says);
  });
});
