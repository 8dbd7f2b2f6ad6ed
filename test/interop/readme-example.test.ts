/**
 * The README's example of a source and a sink defined by hand is a real, compiled module pair
 * (test/fixtures/interop/readme-ops.ts and readme-job.ts, built with the project): the README
 * shows them as they are (with `'sluice'` for the import path), and the job runs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledPath } from '../support/compiled.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function asInReadme(fixture: string): string {
  return readFileSync(path.join(root, 'test/fixtures/interop', fixture), 'utf8')
    .replaceAll("'../../../src/index.js'", "'sluice'")
    .replaceAll("'./readme-ops.js'", "'./ops.js'");
}

describe('the README example of defineSource and defineSink', () => {
  it.each(['readme-ops.ts', 'readme-job.ts'])('shows %s as it is', (fixture) => {
    expect(readme).toContain('```ts\n' + asInReadme(fixture) + '```');
  });

  it('runs', async () => {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [compiledPath('test/fixtures/interop/readme-job.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out }));
    });
    expect(code).toBe(0);
    expect(stdout).toBe('[ 2450, 2500 ]\n');
  });
});
