/**
 * Where and when a benchmark ran: the machine, the Node version and the git revision. Every
 * benchmark result (`sluice bench` and the scripts in bench/) carries this context.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The machine a benchmark ran on. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly arch: string;
}

/** Where and when a benchmark ran. */
export interface RunContext {
  readonly machine: MachineInfo;
  /** `process.version`, e.g. `v20.20.2`. */
  readonly node: string;
  /** sluice's git revision, or `'unknown'` when sluice is not a git checkout (an installed package). */
  readonly gitRevision: string;
  /** Whether tracked files differed from the revision (the revision alone does not describe the code then). */
  readonly gitDirty: boolean | 'unknown';
  /** ISO 8601. */
  readonly date: string;
}

/** sluice's root directory (the package or the checkout), from this file's place in `dist/src/bench/lib/`. */
export function packageRoot(): string {
  return path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
}

/** The machine running this process. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
  };
}

function git(args: readonly string[]): string | undefined {
  const root = packageRoot();
  try {
    const run = (gitArgs: readonly string[]) =>
      execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // An installed sluice sits inside the user's project, which may be a git checkout of its own:
    // its revision says nothing about sluice's code.
    if (path.resolve(run(['rev-parse', '--show-toplevel'])) !== root) return undefined;
    return run(args);
  } catch {
    return undefined;
  }
}

/** `git rev-parse HEAD` of sluice's checkout, or `'unknown'` outside one. */
export function gitRevision(): string {
  return git(['rev-parse', 'HEAD']) ?? 'unknown';
}

/** Whether tracked files differ from HEAD, or `'unknown'` outside sluice's checkout. */
export function gitDirty(): boolean | 'unknown' {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return status === undefined ? 'unknown' : status.length > 0;
}

/** The context of this run. */
export function runContext(): RunContext {
  return {
    machine: machineInfo(),
    node: process.version,
    gitRevision: gitRevision(),
    gitDirty: gitDirty(),
    date: new Date().toISOString(),
  };
}
