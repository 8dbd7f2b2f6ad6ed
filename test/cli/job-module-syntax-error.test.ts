/** A job module with a syntax error: `sluice run` exits 2 and names the file and the line. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

describe('sluice run with a job module that does not parse', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-syntax-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 naming the file and the line', async () => {
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const job = path.join(dir, 'broken-job.js');
    await writeFile(job, 'export default function () {\n  return 1 +;\n}\n');
    const result = await runCli(['run', job]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`sluice: could not load job module ${job}:2: SyntaxError: Unexpected token ';'`);
  });
});
