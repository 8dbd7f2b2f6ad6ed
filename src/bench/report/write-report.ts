import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { BenchReport } from './report-types.js';

/** Where {@link writeReport} put each file. */
export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/**
 * Writes report.json, report.md and report.html into `dir`, creating it (and its parents).
 * Renders everything before writing anything, so a rendering error leaves no partial report.
 */
export async function writeReport(report: BenchReport, dir: string): Promise<WrittenReport> {
  const files = {
    json: ['report.json', JSON.stringify(report, null, 2) + '\n'],
    markdown: ['report.md', renderMarkdown(report)],
    html: ['report.html', renderHtml(report)],
  } as const;
  await mkdir(dir, { recursive: true });
  const written = { json: path.join(dir, files.json[0]), markdown: path.join(dir, files.markdown[0]), html: path.join(dir, files.html[0]) };
  await Promise.all([
    writeFile(written.json, files.json[1]),
    writeFile(written.markdown, files.markdown[1]),
    writeFile(written.html, files.html[1]),
  ]);
  return written;
}
