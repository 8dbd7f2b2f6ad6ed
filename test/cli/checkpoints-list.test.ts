import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli } from './support/cli.js';

describe('sluice checkpoints list', () => {
  let dir: string;
  let checkpointDir: string;
  let ids: number[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-list-'));
    checkpointDir = path.join(dir, 'checkpoints');
    const run = await runCli([
      'run', COUNTING_JOB, '--output', path.join(dir, 'out'), '--count', '8000', '--parallelism', '2',
      '--checkpoint-mode', 'aligned', '--checkpoint-interval', '100', '--checkpoint-dir', checkpointDir, '--retain', '3',
    ]);
    expect(run.code, run.stderr).toBe(0);
    ids = (await readdir(path.join(checkpointDir, 'counting'))).map((name) => Number(/^chk-(\d+)$/.exec(name)?.[1])).sort((a, b) => a - b);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    // A checkpoint that never completed: no _metadata.
    await mkdir(path.join(checkpointDir, 'counting', 'chk-999'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a table per job with a row per completed checkpoint, from the root or the job directory', async () => {
    for (const target of [checkpointDir, path.join(checkpointDir, 'counting')]) {
      const result = await runCli(['checkpoints', 'list', target]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`job 'counting' (${path.join(checkpointDir, 'counting')}): ${ids.length} completed checkpoint`);
      expect(result.stdout).toMatch(/ID +KIND +MODE +COMPLETED +DURATION +SIZE \(DISK \/ RAW\) +IN-FLIGHT +SUBTASKS/);
      const rows = [...result.stdout.matchAll(/^ +(\d+) +checkpoint +aligned +\d{4}-\d\d-\d\dT\S+Z +\S+ m?s +\S+ \S*B \/ \S+ \S*B +\S+ \S*B +3$/gm)];
      expect(rows.map((row) => Number(row[1]))).toEqual(ids);
      expect(result.stdout).toMatch(/not listed: chk-999: no _metadata/);
    }
  });

  it('prints JSON with --json: per job, per checkpoint its id, kind, mode, times, sizes, in-flight bytes and subtasks', async () => {
    const result = await runCli(['checkpoints', 'list', checkpointDir, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const listing = JSON.parse(result.stdout) as { jobs: Array<{ job: string; checkpoints: Array<Record<string, unknown>>; other: Array<Record<string, unknown>> }> };
    expect(listing.jobs.map((job) => job.job)).toEqual(['counting']);
    const [job] = listing.jobs;
    expect(job!.checkpoints.map((checkpoint) => checkpoint['id'])).toEqual(ids);
    for (const checkpoint of job!.checkpoints) {
      expect(checkpoint).toMatchObject({ kind: 'checkpoint', mode: 'aligned', status: 'completed', subtasks: 3, files: 2, segments: 3 });
      for (const field of ['triggerTimestamp', 'completedTimestamp', 'endToEndDurationMs', 'checkpointedBytes', 'rawBytes', 'persistedInFlightBytes']) {
        expect(typeof checkpoint[field], field).toBe('number');
      }
      expect(checkpoint['checkpointedBytes']).toBeGreaterThan(0);
    }
    expect(job!.other).toEqual([expect.objectContaining({ checkpointId: 999, state: 'incomplete' })]);
  });

  it('says when a directory holds no checkpoints, and points from a checkpoint to inspect', async () => {
    const empty = await runCli(['checkpoints', 'list', path.join(dir, 'out')]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/no checkpoints under/);
    const single = await runCli(['checkpoints', 'list', path.join(checkpointDir, 'counting', `chk-${ids[0]}`)]);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/is a checkpoint or savepoint.*use 'sluice checkpoints inspect/);
  });
});
