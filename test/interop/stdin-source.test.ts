/**
 * stdinSource in a real process: a compiled job (test/fixtures/interop/stdin-job.ts) run with
 * node reads the lines piped into its standard input, upper-cases them in worker threads and
 * writes them to standard output through writableSink(process.stdout), which it does not end.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { STDIN_JOB } from './support/compiled.js';

/** Runs the stdin job with `input` piped in, written in pieces that split lines. */
function runWithInput(input: string, args: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STDIN_JOB, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    for (let offset = 0; offset < input.length; offset += 997) child.stdin.write(input.slice(offset, offset + 997));
    child.stdin.end();
  });
}

describe('stdinSource', () => {
  it('reads the lines piped into the process', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} of the input`);
    const { code, stdout, stderr } = await runWithInput(lines.join('\n') + '\n');
    expect(stderr).toContain('records: 20000');
    expect(code).toBe(0);
    const output = stdout.split('\n').filter((line) => line.length > 0);
    // Written after the job: process.stdout was not ended by the sink.
    expect(output.pop()).toBe('-- end of output --');
    expect(output.sort()).toEqual(lines.map((line) => line.toUpperCase()).sort());
  });

  it('reads NDJSON and ends at the end of its input, also when it is empty', async () => {
    const { code, stdout } = await runWithInput('{"n":1}\n{"n":2}\n', ['ndjson']);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as unknown).sort((a, b) => (a as { n: number }).n - (b as { n: number }).n)).toEqual([{ n: 1 }, { n: 2 }]);
    const empty = await runWithInput('');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('-- end of output --\n');
    expect(empty.stderr).toContain('records: 0');
  });
});
