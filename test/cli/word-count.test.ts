import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** The same counting rule as the example, in one thread. */
function referenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu)) {
    const word = match[0].toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

describe('sluice run word-count', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-wc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([1, 2, 3])('writes one line per distinct word with its count at parallelism %i', async (parallelism) => {
    const words = ['alpha', 'Beta', 'gamma', "don't", 'naïve', 'x1', 'ümlaut'];
    let seed = 7 + parallelism;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const n = next() % 9;
      lines.push(Array.from({ length: n }, () => words[next() % words.length]).join(next() % 2 ? ' ' : ', '));
    }
    const text = lines.join('\n') + '\n';
    const input = path.join(dir, `in-${parallelism}.txt`);
    const output = path.join(dir, `out-${parallelism}.txt`);
    await writeFile(input, text);

    const { stderr } = await run(process.execPath, [CLI, 'run', 'word-count', '--input', input, '--output', output, '--parallelism', String(parallelism)]);
    expect(stderr).toMatch(/finished/);

    const written = (await readFile(output, 'utf8')).trimEnd().split('\n');
    const counts = new Map(written.map((line) => {
      const space = line.lastIndexOf(' ');
      return [line.slice(0, space), Number(line.slice(space + 1))] as const;
    }));
    expect(written.length).toBe(counts.size);
    expect(counts).toEqual(referenceCounts(text));
  });

  it('says what is missing when options are absent, with exit code 2', async () => {
    const failure = await run(process.execPath, [CLI, 'run', 'word-count']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/--input <text file> and --output/);
  });

  it('names the job module it could not find', async () => {
    const failure = await run(process.execPath, [CLI, 'run', 'no-such-job.js']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/job module 'no-such-job.js' not found/);
  });
});
