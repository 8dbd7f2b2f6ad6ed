import { cp, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTING_JOB, runCli } from './support/cli.js';

interface InspectReport {
  dir: string;
  valid: boolean;
  summary: Record<string, unknown>;
  metadata: { checkpointId: number; job: string; kind: string; subtasks: Array<{ operator: string; subtaskIndex: number; stats: Record<string, unknown> }> };
  files: Array<{ name: string; bytes: number; sha256: string; status: string; problem?: string }>;
}

describe('sluice checkpoints inspect', () => {
  let dir: string;
  let checkpoint: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-inspect-'));
    const checkpointDir = path.join(dir, 'checkpoints');
    const run = await runCli([
      'run', COUNTING_JOB, '--output', path.join(dir, 'out'), '--count', '6000', '--parallelism', '2',
      '--checkpoint-mode', 'aligned', '--checkpoint-interval', '100', '--checkpoint-dir', checkpointDir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    // The newest checkpoint taken while every subtask ran: later ones may record finished subtasks,
    // which have no files or statistics of their own.
    const names = (await readdir(path.join(checkpointDir, 'counting'))).filter((name) => name.startsWith('chk-'));
    names.sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
    for (const name of names) {
      const metadata = JSON.parse(await readFile(path.join(checkpointDir, 'counting', name, '_metadata'), 'utf8')) as { subtasks: Array<{ finished?: boolean }> };
      if (metadata.subtasks.every((subtask) => !subtask.finished)) {
        checkpoint = path.join(checkpointDir, 'counting', name);
        break;
      }
    }
    expect(checkpoint, 'a checkpoint taken while every subtask ran').toBeDefined();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the checkpoint to damage. */
  async function copy(name: string): Promise<string> {
    const target = path.join(dir, name);
    await cp(checkpoint, target, { recursive: true });
    return target;
  }

  it('shows the metadata, per-subtask statistics and files, and verifies every file (exit 0)', async () => {
    const result = await runCli(['checkpoints', 'inspect', checkpoint]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^checkpoint ${path.basename(checkpoint).slice(4)} of job 'counting'$`, 'm'));
    expect(result.stdout).toMatch(/OPERATOR +SUBTASK +START DELAY +ALIGNMENT +SYNC +ASYNC +UNALIGNED +PERSISTED IN-FLIGHT +STATE +CHANNELS/);
    expect(result.stdout).toMatch(/^ {2}generate +0\/1 /m);
    expect(result.stdout).toMatch(/^ {2}count -> commit +1\/2 /m);
    expect(result.stdout).toMatch(/NAME +CONTENT +SIZE +RAW +SHA-256 +CHECK/);
    expect(result.stdout.match(/ [0-9a-f]{64} {2}ok$/gm)).toHaveLength(3);
    expect(result.stdout).toMatch(/^verified: all 3 files have their recorded size and SHA-256$/m);
  });

  it('prints JSON with --json, given the _metadata file too', async () => {
    const result = await runCli(['checkpoints', 'inspect', path.join(checkpoint, '_metadata'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as InspectReport;
    expect(report).toMatchObject({ dir: checkpoint, valid: true, metadata: { job: 'counting', kind: 'checkpoint' } });
    expect(report.metadata.subtasks).toHaveLength(3);
    for (const subtask of report.metadata.subtasks) {
      for (const stat of ['syncDurationMs', 'asyncDurationMs', 'alignmentDurationMs', 'startDelayMs', 'persistedInFlightBytes']) {
        expect(typeof subtask.stats[stat], stat).toBe('number');
      }
      expect(typeof subtask.stats['unaligned']).toBe('boolean');
    }
    expect(report.files.map((file) => file.status)).toEqual(['ok', 'ok', 'ok']);
    expect(report.summary).toMatchObject({ id: report.metadata.checkpointId, kind: 'checkpoint', mode: 'aligned' });
  });

  it('names the corrupt, truncated and missing files and exits 1', async () => {
    const damaged = await copy('damaged');
    const names = (await readdir(damaged)).filter((name) => name.endsWith('.zst')).sort();
    expect(names).toHaveLength(3);
    const [corrupt, truncated, missing] = names as [string, string, string];
    const bytes = await readFile(path.join(damaged, corrupt));
    bytes[bytes.length - 1]! ^= 0xff; // same size, other content
    await writeFile(path.join(damaged, corrupt), bytes);
    await truncate(path.join(damaged, truncated), 4);
    await rm(path.join(damaged, missing));

    const table = await runCli(['checkpoints', 'inspect', damaged]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/DAMAGED: 3 of 3 files are missing, truncated or corrupt; this checkpoint cannot be restored/);
    expect(table.stdout).toContain(`  ${corrupt}: corrupt: `);
    expect(table.stdout).toContain(`  ${truncated}: truncated: `);
    expect(table.stdout).toContain(`  ${missing}: missing: `);

    const json = JSON.parse((await runCli(['checkpoints', 'inspect', damaged, '--json'])).stdout) as InspectReport;
    expect(json.valid).toBe(false);
    expect(Object.fromEntries(json.files.map((file) => [file.name, file.status]))).toEqual({ [corrupt]: 'corrupt', [truncated]: 'truncated', [missing]: 'missing' });
  });

  it('reports one corrupt file among good ones', async () => {
    const damaged = await copy('one-corrupt');
    const [name] = (await readdir(damaged)).filter((entry) => entry.startsWith('generate'));
    const bytes = await readFile(path.join(damaged, name!));
    bytes[0]! ^= 0x01;
    await writeFile(path.join(damaged, name!), bytes);
    const result = await runCli(['checkpoints', 'inspect', damaged]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/DAMAGED: 1 of 3 files/);
    expect(result.stdout).toMatch(new RegExp(`^ {2}${name!.replaceAll('.', '\\.')}: corrupt: .*its SHA-256 is [0-9a-f]{64}, its _metadata records`, 'm'));
  });

  it('says a bad _metadata makes the checkpoint unusable (exit 1), and a directory without one is not a checkpoint (exit 2)', async () => {
    const broken = await copy('broken-metadata');
    await writeFile(path.join(broken, '_metadata'), '{ "format": "sluice-checkpoint", ');
    const invalid = await runCli(['checkpoints', 'inspect', broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/_metadata is invalid, so it cannot be restored/);

    const notCheckpoint = await runCli(['checkpoints', 'inspect', path.dirname(checkpoint)]);
    expect(notCheckpoint.code).toBe(2);
    expect(notCheckpoint.stderr).toMatch(/has no _metadata, so it is not a completed checkpoint or savepoint; it holds checkpoint directories: see 'sluice checkpoints list/);
  });
});
