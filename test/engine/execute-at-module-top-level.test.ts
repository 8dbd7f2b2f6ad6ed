/**
 * A module that defines its operators and calls `execute()` at top level, run with `node`: the job
 * manager imports that module to find its operators, which cannot finish while the module's
 * top-level code waits for `execute()`, and Node used to exit 13 with no output. `execute()` now
 * rejects with a message that says what to do, and the process exits 1 printing it.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compiledPath } from '../support/compiled.js';

function runNode(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('execute() at the top level of a module that defines operators', () => {
  it('fails with a message that says how to structure the module, instead of exiting 13 silently', async () => {
    const file = compiledPath('test/fixtures/engine/top-level-execute.js');
    const { code, stderr } = await runNode(file);
    expect(code).toBe(1);
    expect(stderr).toContain('execute() was called by the top-level code of');
    expect(stderr).toContain('top-level-execute.js, which also defines operators of the job');
    expect(stderr).toMatch(/Move the operators \(define\*\) into their own module/);
  });
});
