import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHtml, renderMarkdown, writeReport } from '../../src/bench/report/index.js';
import { sampleReport } from '../fixtures/bench/sample-report.js';

describe('writeReport', () => {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('creates the directory and writes report.json, report.md and report.html', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sluice-report-'));
    made.push(root);
    const report = sampleReport();
    const dir = path.join(root, 'nested', 'bench');
    const written = await writeReport(report, dir);
    expect(written).toEqual({
      json: path.join(dir, 'report.json'),
      markdown: path.join(dir, 'report.md'),
      html: path.join(dir, 'report.html'),
    });
    expect(JSON.parse(await readFile(written.json, 'utf8'))).toEqual(report);
    expect(await readFile(written.markdown, 'utf8')).toBe(renderMarkdown(report));
    expect(await readFile(written.html, 'utf8')).toBe(renderHtml(report));
    // Writing again into the existing directory replaces the files.
    await expect(writeReport(report, dir)).resolves.toEqual(written);
  });
});
