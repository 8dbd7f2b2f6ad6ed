/**
 * A checkpoint directory that cannot hold checkpoints fails `sluice run` at start with exit code 2
 * and a message that names the directory, what failed and what to do, before the job runs: a
 * read-only directory, and a path under a regular file (no raw stack trace). As root, permissions
 * do not stop writes, so the read-only case runs the command as the unprivileged user `nobody`.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli } from './support/cli.js';

const NOBODY = 65534;

describe('sluice run with an unusable checkpoint directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-storage-'));
    await chmod(dir, 0o777);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 naming a read-only directory', async () => {
    const readOnly = path.join(dir, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    const output = path.join(dir, 'ro-out');
    await mkdir(output);
    await chmod(output, 0o777);
    const asUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
    const result = await runCli(['run', COUNTING_JOB, '--output', output, '--checkpoint-mode', 'aligned', '--checkpoint-dir', readOnly], asUser);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sluice: the checkpoint directory .*read-only.* cannot hold checkpoints: creating it failed with EACCES; it is not writable/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(output)).toEqual([]);
  });

  it('exits 2 naming a path under a regular file', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a directory\n');
    const output = path.join(dir, 'file-out');
    const result = await runCli(['run', COUNTING_JOB, '--output', output, '--checkpoint-mode', 'aligned', '--checkpoint-dir', path.join(file, 'checkpoints')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sluice: the checkpoint directory .*a-file.* cannot hold checkpoints: creating it failed with ENOTDIR; a part of the path is a regular file/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
