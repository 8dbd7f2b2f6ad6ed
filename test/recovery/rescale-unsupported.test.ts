/**
 * A connector that cannot be rescaled refuses clearly: a job whose plain file sink has state
 * (its file length) restored at another parallelism fails with SLUICE_RESCALE_UNSUPPORTED,
 * naming the sink and the parallelism to restore at; at the checkpoint's own parallelism the
 * same checkpoint restores.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, sluice } from './support/compiled.js';
import { failureOf, temporaryDirectory } from './support/jobs.js';

let tmp: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  tmp = await temporaryDirectory('sluice-rescale-unsupported-');
});
afterAll(() => tmp.remove());

function job(parallelism: number) {
  const pipeline = new sluice.Pipeline({ name: 'rescale-unsupported', parallelism, channelBytes: 4096 });
  pipeline
    .source(sluice.generatorSource({ seed: 1, count: 8_000, keys: 16 }), { name: 'gen' })
    .keyBy(1)
    .process<string>(ops.tally, { name: 'work', options: { costMicros: 40 * parallelism, perRecord: true } })
    .sink(sluice.fileSink({ path: path.join(tmp.path, 'out'), format: 'lines' }), { name: 'file' });
  return pipeline;
}

describe('a sink that cannot be rescaled', () => {
  it('refuses a restore at another parallelism, and restores at its own', async () => {
    const checkpoints = { mode: 'unaligned' as const, intervalMs: 10, dir: path.join(tmp.path, 'checkpoints') };
    await failureOf(
      job(2).execute({
        checkpoints,
        restart: { type: 'none' },
        faults: [{ operator: 'work', subtask: 0, kind: 'throw', atCheckpoint: { phase: 'after-ack', checkpointId: 2 } }],
      }),
    );
    const refused = await failureOf(job(3).execute({ checkpoints, restore: 'latest', restart: { type: 'none' } }));
    const cause = refused.cause as { code?: string; message?: string };
    expect(cause.code).toBe('SLUICE_RESCALE_UNSUPPORTED');
    expect(cause.message).toMatch(/sink 'file' cannot be restored at parallelism 3.*restore it at parallelism 2/);

    const restored = await job(2).execute({ checkpoints, restore: 'latest' });
    expect(restored.operators['work']!.recordsIn).toBeGreaterThan(0);
  });
});
