/**
 * A generator subtask resumed from `position()` emits exactly the records it had not emitted:
 * none lost, none twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/index.js';
import { generatorSource } from '../../src/connectors/index.js';
import { runSource } from './support/harness.js';

describe('generator resume', () => {
  it('continues exactly after the last record emitted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 4 }).chain((parallelism) =>
          fc.tuple(fc.constant(parallelism), fc.integer({ min: 0, max: parallelism - 1 })),
        ),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<'numeric' | 'object'>('numeric', 'object'),
        async (seed, count, [parallelism, subtaskIndex], cut, budget, shape) => {
          const spec = generatorSource({ seed, count, shape });
          const whole = await runSource(spec, { subtaskIndex, parallelism, budget });
          const before = await runSource(spec, { subtaskIndex, parallelism, budget, stopAfter: cut });
          const after = await runSource(spec, { subtaskIndex, parallelism, budget, restoredPosition: before.position });
          expect([...before.records, ...after.records]).toEqual(whole.records);
          expect(after.ended).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('resumes an unbounded source too', async () => {
    const spec = generatorSource({ seed: 5 });
    const whole = await runSource(spec, { subtaskIndex: 1, parallelism: 3, stopAfter: 200 });
    const before = await runSource(spec, { subtaskIndex: 1, parallelism: 3, stopAfter: 77 });
    expect(before.position).toBe(1 + 77 * 3);
    const after = await runSource(spec, { subtaskIndex: 1, parallelism: 3, stopAfter: 123, restoredPosition: before.position });
    expect([...before.records, ...after.records]).toEqual(whole.records);
  });

  it('accepts its options after a JSON round trip (Infinity becomes null)', async () => {
    const spec = generatorSource({ seed: 2 });
    const viaJson = { ...spec, options: JSON.parse(JSON.stringify(spec.options)) as unknown };
    const direct = await runSource(spec, { subtaskIndex: 0, parallelism: 1, stopAfter: 50 });
    expect((await runSource(viaJson, { subtaskIndex: 0, parallelism: 1, stopAfter: 50 })).records).toEqual(direct.records);
  });

  it('refuses a position that belongs to another subtask', async () => {
    const spec = generatorSource({ count: 100 });
    await expect(runSource(spec, { subtaskIndex: 0, parallelism: 2, restoredPosition: 7 })).rejects.toThrow(ConfigurationError);
  });
});
