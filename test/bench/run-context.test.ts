/**
 * Every benchmark result names the machine, the Node version and sluice's git revision; an
 * installed sluice inside someone else's git checkout reports no revision rather than theirs.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Lib from '../../src/bench/lib/index.js';
import { compiledPath, loadCompiled } from '../support/compiled.js';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('bench run context', () => {
  it("names this machine, this Node and the checkout's revision", async () => {
    const lib = await loadCompiled<typeof Lib>('src/bench/lib/index.js');
    const context = lib.runContext();
    expect(context.machine.cores).toBe(os.cpus().length);
    expect(context.machine.cpuModel.length).toBeGreaterThan(0);
    expect(context.node).toBe(process.version);
    expect(context.gitRevision).toBe(git(lib.packageRoot(), 'rev-parse', 'HEAD'));
    expect(typeof context.gitDirty).toBe('boolean');
    expect(Number.isNaN(Date.parse(context.date))).toBe(false);
  });

  it("reports 'unknown' for an installed sluice inside another project's git checkout", async () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-context-'));
    scratch.push(project);
    git(project, 'init', '-q');
    writeFileSync(path.join(project, 'README'), 'a user project\n');
    git(project, 'add', 'README');
    git(project, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'first');
    const installed = path.join(project, 'node_modules', 'sluice');
    const lib = path.join(installed, 'dist', 'src', 'bench', 'lib');
    mkdirSync(lib, { recursive: true });
    writeFileSync(path.join(installed, 'package.json'), '{ "name": "sluice", "type": "module" }\n');
    copyFileSync(compiledPath('src/bench/lib/run-context.js'), path.join(lib, 'run-context.js'));
    const context = (await import(pathToFileURL(path.join(lib, 'run-context.js')).href)) as typeof Lib;
    expect(context.packageRoot()).toBe(installed);
    expect(context.gitRevision()).toBe('unknown');
    expect(context.gitDirty()).toBe('unknown');
  });
});
