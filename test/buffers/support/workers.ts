/**
 * Starts buffer fixtures (test/fixtures/buffers/*.ts) as worker threads from their compiled
 * files in dist/, and collects the one result each posts.
 */
import { Worker } from 'node:worker_threads';
import type { FixtureResult } from '../../fixtures/buffers/messages.js';
import { compiledPath } from '../../support/compiled.js';

/** Path of the compiled fixture `name` (Node 20 cannot start a worker from a .ts file). */
export function fixturePath(name: string): string {
  return compiledPath(`test/fixtures/buffers/${name}.js`);
}

/** One worker to start: the fixture's name and its workerData. */
export interface FixtureSpec {
  readonly fixture: string;
  readonly workerData: unknown;
}

/**
 * Starts every fixture at once and resolves with their results, in the order given. The first
 * failure (a thrown error, an exit without a result) terminates the others: a peer parked on a
 * doorbell would otherwise wait for a partner that is gone.
 */
export async function runFixtures(specs: readonly FixtureSpec[]): Promise<FixtureResult[]> {
  const workers = specs.map((spec) => new Worker(fixturePath(spec.fixture), { workerData: spec.workerData }));
  const outcomes = workers.map(
    (worker, index) =>
      new Promise<FixtureResult>((resolve, reject) => {
        let result: FixtureResult | undefined;
        worker.on('message', (message: FixtureResult) => {
          result = message;
        });
        worker.on('error', (error) => reject(new Error(`${specs[index]!.fixture}: ${error.message}`, { cause: error })));
        worker.on('exit', (code) => {
          if (result !== undefined) resolve(result);
          else reject(new Error(`${specs[index]!.fixture} exited with code ${code} before posting a result`));
        });
      }),
  );
  try {
    return await Promise.all(outcomes);
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  } 
}
