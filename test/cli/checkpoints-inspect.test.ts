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
  files: Array<{ name: string; bytes: number; segments: number; status: string; problem?: string }>;
  segments: Array<{ name: string; file: string; offset: number; bytes: number; sha256: string; content: string; status: string; problem?: string }>;
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

  /** The segments of the merged file that holds the source's state (merged-0.seg: subtask 0's snapshots), in file order. */
  async function segmentsOf(target: string): Promise<InspectReport['segments']> {
    const report = JSON.parse((await runCli(['checkpoints', 'inspect', target, '--json'])).stdout) as InspectReport;
    return report.segments.filter((segment) => segment.file === 'merged-0.seg').sort((a, b) => a.offset - b.offset);
  }

  it('shows the metadata, per-subtask statistics, files and segments, and verifies every one (exit 0)', async () => {
    const result = await runCli(['checkpoints', 'inspect', checkpoint]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^checkpoint ${path.basename(checkpoint).slice(4)} of job 'counting'$`, 'm'));
    expect(result.stdout).toMatch(/OPERATOR +SUBTASK +START DELAY +ALIGNMENT +SYNC +ASYNC +UNALIGNED +PERSISTED IN-FLIGHT +STATE +CHANNELS/);
    expect(result.stdout).toMatch(/^ {2}generate +0\/1 /m);
    expect(result.stdout).toMatch(/^ {2}count -> commit +1\/2 /m);
    expect(result.stdout).toMatch(/^ {2}format +version 2$/m);
    // Subtask i's snapshots share merged file i: the source's and count's subtask 0, and count's subtask 1.
    expect(result.stdout).toMatch(/NAME +SIZE +SEGMENTS +CHECK\n {2}merged-0\.seg +\S+ \S*B +2 +ok\n {2}merged-1\.seg +\S+ \S*B +1 +ok$/m);
    expect(result.stdout).toMatch(/NAME +CONTENT +FILE +OFFSET +SIZE +RAW +SHA-256 +CHECK/);
    expect(result.stdout).toMatch(/^ {2}generate-0\.state\.zst +state of 'generate' subtask 0 +merged-0\.seg +\d+ /m);
    expect(result.stdout.match(/ merged-[01]\.seg +\d+ .* [0-9a-f]{64} {2}ok$/gm)).toHaveLength(3);
    expect(result.stdout).toMatch(/^verified: all 2 files and 3 segments have their recorded size and SHA-256$/m);
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
    expect(report.files.map((file) => [file.name, file.segments, file.status])).toEqual([
      ['merged-0.seg', 2, 'ok'],
      ['merged-1.seg', 1, 'ok'],
    ]);
    expect(report.segments.map((segment) => segment.status)).toEqual(['ok', 'ok', 'ok']);
    expect(report.summary).toMatchObject({ id: report.metadata.checkpointId, kind: 'checkpoint', mode: 'aligned' });
  });

  it('names a corrupt segment at the end of the merged file, with its content and offset, and exits 1', async () => {
    const damaged = await copy('corrupt-end');
    const last = (await segmentsOf(damaged)).at(-1)!;
    const bytes = await readFile(path.join(damaged, 'merged-0.seg'));
    bytes[bytes.length - 1]! ^= 0xff; // same size, other content
    await writeFile(path.join(damaged, 'merged-0.seg'), bytes);

    const table = await runCli(['checkpoints', 'inspect', damaged]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/DAMAGED: 0 of 2 files and 1 of 3 segments are missing, truncated or corrupt; this checkpoint cannot be restored/);
    expect(table.stdout).toContain(`  ${last.name} (${last.content}, in merged-0.seg at offset ${last.offset}): corrupt: `);
    const json = JSON.parse((await runCli(['checkpoints', 'inspect', damaged, '--json'])).stdout) as InspectReport;
    expect(json.valid).toBe(false);
    expect(json.files.map((file) => file.status)).toEqual(['ok', 'ok']);
    const statuses = Object.fromEntries(json.segments.map((segment) => [segment.name, segment.status]));
    expect(Object.values(statuses).sort()).toEqual(['corrupt', 'ok', 'ok']);
    expect(statuses[last.name]).toBe('corrupt');
  });

  it('names a truncated merged file and the segments it cuts off, and a missing one, leaving the other file ok', async () => {
    const truncated = await copy('truncated');
    const segments = await segmentsOf(truncated);
    await truncate(path.join(truncated, 'merged-0.seg'), segments[1]!.offset + 4);
    const cut = await runCli(['checkpoints', 'inspect', truncated]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/DAMAGED: 1 of 2 files and 1 of 3 segments/);
    expect(cut.stdout).toContain(`  merged-0.seg: truncated: `);
    expect(cut.stdout).toContain(`it is cut off from segment ${segments[1]!.name} (${segments[1]!.content}`);
    const json = JSON.parse((await runCli(['checkpoints', 'inspect', truncated, '--json'])).stdout) as InspectReport;
    const inFile = json.segments.filter((segment) => segment.file === 'merged-0.seg').sort((a, b) => a.offset - b.offset);
    expect(inFile.map((segment) => segment.status)).toEqual(['ok', 'truncated']);
    expect(json.segments.find((segment) => segment.file === 'merged-1.seg')!.status).toBe('ok');

    const missing = await copy('missing');
    await rm(path.join(missing, 'merged-0.seg'));
    const gone = await runCli(['checkpoints', 'inspect', missing]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(/DAMAGED: 1 of 2 files and 2 of 3 segments/);
    expect(gone.stdout).toContain(`  merged-0.seg: missing: `);
  });

  it('reports one corrupt segment among good ones', async () => {
    const damaged = await copy('one-corrupt');
    const generate = (await segmentsOf(damaged)).find((segment) => segment.name.startsWith('generate'))!;
    const bytes = await readFile(path.join(damaged, 'merged-0.seg'));
    bytes[generate.offset]! ^= 0x01;
    await writeFile(path.join(damaged, 'merged-0.seg'), bytes);
    const result = await runCli(['checkpoints', 'inspect', damaged]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/DAMAGED: 0 of 2 files and 1 of 3 segments/);
    expect(result.stdout).toMatch(
      new RegExp(`^ {2}${generate.name.replaceAll('.', '\\.')} \\(state of 'generate' subtask 0, in merged-0\\.seg at offset ${generate.offset}\\): corrupt: .*its SHA-256 is [0-9a-f]{64}, its _metadata records`, 'm'),
    );
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
