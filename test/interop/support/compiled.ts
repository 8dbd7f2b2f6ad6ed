/**
 * The compiled engine and the compiled interop fixtures, loaded from dist/ (see
 * test/support/compiled.ts: worker threads find functions by the URL of their compiled module).
 */
import type * as Sluice from '../../../src/index.js';
import type * as InteropOps from '../../fixtures/interop/interop-ops.js';
import { compiledPath, loadCompiled } from '../../support/compiled.js';

/** The engine, from dist/src/index.js. */
export const sluice = await loadCompiled<typeof Sluice>('src/index.js');
/** The interop tests' operators and sources. */
export const ops = await loadCompiled<typeof InteropOps>('test/fixtures/interop/interop-ops.js');
/** The compiled job that reads standard input. */
export const STDIN_JOB = compiledPath('test/fixtures/interop/stdin-job.js');

/** Collects every record of `job.results()`. */
export async function allResults<T>(job: { results<R>(): AsyncIterable<R> }): Promise<T[]> {
  const records: T[] = [];
  for await (const record of job.results<T>()) records.push(record);
  return records;
}
