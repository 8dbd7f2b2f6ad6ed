import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/bench/report/index.js';
import { sampleReport } from '../fixtures/bench/sample-report.js';

const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 1280;
const HEIGHT = 3000;

/** Screenshots `file` in headless Chromium, offline, with a throwaway profile. */
async function screenshot(file: string, png: string, profile: string): Promise<Buffer> {
  await promisify(execFile)(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--screenshot=${png}`,
      `--window-size=${WIDTH},${HEIGHT}`,
      `file://${file}`,
    ],
    { timeout: 50_000 },
  );
  return readFile(png);
}

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  let dir = '';
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('renders a page with far more on it than a blank one', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-report-shot-'));
    const html = path.join(dir, 'report.html');
    const blank = path.join(dir, 'blank.html');
    await writeFile(html, renderHtml(sampleReport()));
    await writeFile(blank, '<!doctype html><html><body></body></html>');
    const page = await screenshot(html, path.join(dir, 'report.png'), path.join(dir, 'profile-report'));
    const empty = await screenshot(blank, path.join(dir, 'blank.png'), path.join(dir, 'profile-blank'));
    expect(page.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height as big-endian integers at bytes 16 and 20.
    expect(page.readUInt32BE(16)).toBe(WIDTH);
    expect(page.readUInt32BE(20)).toBe(HEIGHT);
    // Text, charts and tables compress far worse than an empty page: a broken render stays near blank.
    expect(page.length).toBeGreaterThan(empty.length * 10);
  });
});
