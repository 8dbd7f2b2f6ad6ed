/**
 * A module that defines its operators and calls `execute()` at top level: the subtask's worker
 * imports it to find its operator, which would start the job again inside the worker (and the
 * process used to exit 13 with no output). The worker's `execute()` refuses with a message that
 * says what to do, and the job fails with it.
 */
import { describe, expect, it } from 'vitest';
import { loadCompiled } from '../support/compiled.js';

describe('execute() at the top level of a module that defines operators', () => {
  it('fails the job with a message that says how to structure the module', async () => {
    let failure: unknown;
    try {
      await loadCompiled('test/fixtures/engine/top-level-execute.js');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    const text = JSON.stringify(failure, Object.getOwnPropertyNames(failure)) + String((failure as Error).message) + String(((failure as Error).cause as Error | undefined)?.message);
    expect(text).toMatch(/execute\(\) was called while a sluice worker thread imported a module to find its operators/);
    expect(text).toMatch(/isMainThread/);
  });
});
