/**
 * Runs the compiled `sluice` command (dist/src/cli/main.js) in a child process, and reads what
 * the CLI tests' counting job (test/fixtures/cli/counting-job.ts) committed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled command. */
export const CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
/** The compiled counting job module. */
export const COUNTING_JOB = fileURLToPath(new URL('../../../dist/test/fixtures/cli/counting-job.js', import.meta.url));

/** How a `sluice` process ended. */
export interface CliResult {
  /** Exit code; null if a signal killed it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `sluice` process, with its output so far. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Output so far. */
  readonly output: { stdout: string; stderr: string };
  /** Resolves when stderr matches `pattern` (at least `times` times); rejects if the process ends first. */
  waitForStderr(pattern: RegExp, times?: number): Promise<void>;
  /** Resolves when the process has ended. */
  readonly done: Promise<CliResult>;
}

/** Starts `sluice <args>`. */
export function startCli(args: readonly string[], options: { cwd?: string; uid?: number; gid?: number } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, uid: options.uid, gid: options.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    for (const check of waiters) check();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, ...output });
      for (const check of waiters) check();
    });
  });
  const waitForStderr = (pattern: RegExp, times = 1) =>
    new Promise<void>((resolve, reject) => {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      const check = () => {
        if ([...output.stderr.matchAll(global)].length >= times) {
          waiters.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          reject(new Error(`sluice ended before its stderr matched ${pattern} ${times} times:\n${output.stderr}`));
        }
      };
      waiters.add(check);
      check();
    });
  return { child, output, waitForStderr, done };
}

/** Runs `sluice <args>` to its end. */
export function runCli(args: readonly string[], options: { cwd?: string; uid?: number; gid?: number } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Every line of the committed part files in `dir` (not the in-progress ones), sorted. */
export async function committedLines(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.startsWith('part-'));
  const lines: string[] = [];
  for (const name of names) {
    const text = await readFile(path.join(dir, name), 'utf8');
    if (text.length > 0) lines.push(...text.trimEnd().split('\n'));
  }
  return lines.sort();
}
