/**
 * Sources restored at another parallelism: the file source and the generator run at
 * parallelism p, stop at arbitrary points (a checkpoint), hand their positions to q new
 * subtasks (`rescalePosition`), stop again and go to r subtasks, then run to the end. Together
 * the three stages emit every record of a whole run exactly once.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../src/api/specs.js';
import { fileSource, generatorSource } from '../../src/connectors/index.js';
import { createSource, runAllSubtasks, runSource, sourceContext, temporaryDirectory } from './support/harness.js';
import { textFileArbitrary } from './support/text-files.js';

/** Positions of one stage's subtasks after each took up to `cuts[i]` records (all of them when undefined). */
async function stage<T>(spec: SourceSpec<T>, parallelism: number, previous: unknown[] | undefined, cuts: readonly (number | undefined)[], emitted: T[]) {
  const positions: unknown[] = [];
  for (let subtaskIndex = 0; subtaskIndex < parallelism; subtaskIndex++) {
    let restoredPosition: unknown;
    if (previous) {
      const source = createSource(spec);
      restoredPosition = source.rescalePosition!(sourceContext(subtaskIndex, parallelism, spec.options).ctx, previous);
    }
    const run = await runSource(spec, { subtaskIndex, parallelism, restoredPosition, stopAfter: cuts[subtaskIndex % cuts.length], budget: 5 });
    emitted.push(...run.records);
    positions.push(run.position);
  }
  return positions;
}

/** Runs the three stages; returns everything emitted. */
async function rescaled<T>(spec: SourceSpec<T>, [p, q, r]: readonly [number, number, number], cuts: readonly number[]): Promise<T[]> {
  const emitted: T[] = [];
  const first = await stage(spec, p, undefined, cuts, emitted);
  const second = await stage(spec, q, first, cuts.map((cut) => cut + 1), emitted);
  await stage(spec, r, second, [undefined as unknown as number], emitted);
  return emitted;
}

const parallelisms = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }));
const cuts = fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 4 });
const sorted = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value)).sort();

describe('sources restored at another parallelism', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  let fileNumber = 0;
  beforeAll(async () => {
    directory = await temporaryDirectory();
  });
  afterAll(() => directory.remove());

  it('file source: each line exactly once across two rescales', async () => {
    await fc.assert(
      fc.asyncProperty(textFileArbitrary(), parallelisms, cuts, fc.integer({ min: 1, max: 32 }), async (file, scale, cut, chunk) => {
        const path = join(directory.path, `input-${fileNumber++}.txt`);
        await writeFile(path, file.text);
        const spec = fileSource({ path, format: 'lines', readChunkBytes: chunk });
        const whole = (await runAllSubtasks(spec, 1)).flat();
        expect(sorted(await rescaled(spec, scale, cut))).toEqual(sorted(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('generator: each record exactly once across two rescales', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 120 }), parallelisms, cuts, fc.constantFrom<'numeric' | 'object'>('numeric', 'object'), async (count, scale, cut, shape) => {
        const spec = generatorSource({ seed: 3, count, shape });
        const whole = (await runAllSubtasks(spec, 1)).flat();
        expect(sorted(await rescaled(spec, scale, cut))).toEqual(sorted(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('generator: an unbounded source keeps every old sequence going', async () => {
    const spec = generatorSource({ seed: 9 });
    const before = await runSource(spec, { subtaskIndex: 1, parallelism: 2, stopAfter: 3 });
    const positions = [0, before.position];
    const source = createSource(spec);
    const position = source.rescalePosition!(sourceContext(0, 1, spec.options).ctx, positions);
    expect(position).toEqual({ splits: [[0, 2], [7, 2]] });
    const after = await runSource(spec, { subtaskIndex: 0, parallelism: 1, restoredPosition: position, stopAfter: 4 });
    expect(after.records.map((record) => (record as number[])[0])).toEqual([0, 7, 2, 9]);
  });

  it('file source: dead-letter files are not re-split, so a rescale with them is refused', async () => {
    const path = join(directory.path, 'dead-letter.ndjson');
    await writeFile(path, '{"a":1}\n{"a":2}\n');
    const spec = fileSource({ path, format: 'ndjson', onMalformed: 'dead-letter', deadLetterPath: join(directory.path, 'bad.ndjson') });
    const position = createSource(spec).rescalePosition!(sourceContext(0, 1, spec.options).ctx, [0, 8]);
    await expect(runSource(spec, { subtaskIndex: 0, parallelism: 1, restoredPosition: position })).rejects.toThrow(/dead-letter/);
  });
});
